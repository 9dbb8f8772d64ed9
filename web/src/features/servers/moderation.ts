import type { AuditEntry } from '../../api/types';

/** The header a moderator's reason travels in (the server's AuditReason), percent-encoded so any text fits a header. */
export const AUDIT_REASON_HEADER = 'X-Audit-Log-Reason';
export const REASON_MAX_LENGTH = 512;

export function reasonHeaders(reason: string): Record<string, string> {
  const trimmed = reason.trim();
  return trimmed ? { [AUDIT_REASON_HEADER]: encodeURIComponent(trimmed) } : {};
}

/** The durations the timeout dialog offers (Discord's), in seconds. */
export const TIMEOUT_DURATIONS: { label: string; seconds: number }[] = [
  { label: '60 seconds', seconds: 60 },
  { label: '5 minutes', seconds: 5 * 60 },
  { label: '10 minutes', seconds: 10 * 60 },
  { label: '1 hour', seconds: 60 * 60 },
  { label: '1 day', seconds: 24 * 60 * 60 },
  { label: '1 week', seconds: 7 * 24 * 60 * 60 },
];

/** What a ban may take with it: the banned user's messages from the last hour, day or week. */
export const DELETE_HISTORY: { label: string; seconds: number }[] = [
  { label: "Don't delete any", seconds: 0 },
  { label: 'Last hour', seconds: 60 * 60 },
  { label: 'Last 24 hours', seconds: 24 * 60 * 60 },
  { label: 'Last 7 days', seconds: 7 * 24 * 60 * 60 },
];

export function timeoutEnd(now: number, seconds: number): string {
  return new Date(now + seconds * 1000).toISOString();
}

/** The end of a member's timeout while it lasts; null when they are not (or no longer) timed out. */
export function activeTimeout(timedOutUntil: string | null | undefined, now: number): Date | null {
  if (!timedOutUntil) return null;
  const end = new Date(timedOutUntil);
  return end.getTime() > now ? end : null;
}

/** "14:32" today, "Tue 14:32" within a week, a date after that. */
export function formatEnd(end: Date, now: Date, locale?: string): string {
  const time = end.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (end.toDateString() === now.toDateString()) return time;
  if (end.getTime() - now.getTime() < 6 * 24 * 60 * 60 * 1000) return `${end.toLocaleDateString(locale, { weekday: 'short' })} ${time}`;
  return `${end.toLocaleDateString(locale, { day: 'numeric', month: 'short' })} ${time}`;
}

/** What the gateway tells a user whose membership ended (ServerRemoved's data). */
export interface Removal {
  serverId: string;
  reason: string;
  serverName?: string | null;
  moderatorReason?: string | null;
}

/** The notice for a server you were taken out of, or null when you left (or it was deleted: that has its own words). */
export function removalNotice(removal: Removal): { title: string; detail: string | null } | null {
  if (removal.reason !== 'kicked' && removal.reason !== 'banned') return null;
  const name = removal.serverName ?? 'this server';
  return {
    title: removal.reason === 'banned' ? `You were banned from ${name}` : `You were removed from ${name}`,
    detail: removal.moderatorReason ? `Reason: ${removal.moderatorReason}` : null,
  };
}

/** The audit log's actions, as the filter offers them and a row names them. */
export const AUDIT_ACTIONS: Record<string, string> = {
  server_update: 'Updated the server',
  channel_create: 'Created a channel',
  channel_update: 'Updated a channel',
  channel_delete: 'Deleted a channel',
  overwrite_update: 'Changed channel permissions',
  overwrite_delete: 'Removed channel permissions',
  role_create: 'Created a role',
  role_update: 'Updated a role',
  role_delete: 'Deleted a role',
  member_update: 'Changed a nickname',
  member_role_update: "Changed a member's roles",
  member_timeout: 'Timed out a member',
  member_kick: 'Kicked a member',
  member_ban_add: 'Banned a member',
  member_ban_remove: 'Unbanned a user',
  invite_create: 'Created an invite',
  invite_delete: 'Deleted an invite',
  message_delete: "Deleted a member's message",
  message_pin: 'Pinned a message',
  message_unpin: 'Unpinned a message',
};

/** One line per entry: "ada kicked bob", with the target named when it is a user the page knows. */
export function describeEntry(entry: AuditEntry, users: Map<string, string>): string {
  const actor = users.get(entry.actorId) ?? 'Someone';
  const what = AUDIT_ACTIONS[entry.action] ?? entry.action;
  const target = entry.targetId ? users.get(entry.targetId) : undefined;
  return `${actor}: ${what}${target ? ` (${target})` : ''}`;
}

/** A changed field as text: "name: general → rules"; a timeout's end as a local time. */
export function describeChange(change: AuditEntry['changes'][number]): string {
  const show = (value: string | null | undefined) =>
    value == null ? '—' : change.key === 'timedOutUntil' ? new Date(value).toLocaleString() : value;
  return `${change.key}: ${show(change.old)} → ${show(change.new)}`;
}
