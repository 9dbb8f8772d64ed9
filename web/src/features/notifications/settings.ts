/**
 * Notification settings: `GET/PATCH /api/v1/users/@me/notification-settings` (email digests, muted servers, and
 * the mute of pop-up notifications on every device) and the one-click unsubscribe. Declared by hand: the
 * OpenAPI document marks every field of the PATCH body required (null = unchanged), while we send only what changed.
 */

import { ruleFromServer, type NotificationRule, type RuleChange } from './rules';

export type EmailNotifications = 'all' | 'mentions' | 'none';

export interface NotificationSettings {
  email: EmailNotifications;
  mutedServerIds: string[];
  /** No pop-up notifications on any of the user's devices (the desktop tray's "Mute notifications"). */
  desktopMuted: boolean;
  /** Per-server and per-channel rules (rules.ts); changed one at a time through their own endpoint. */
  servers: NotificationRule[];
  channels: NotificationRule[];
}

export type NotificationSettingsPatch = Partial<Pick<NotificationSettings, 'email' | 'mutedServerIds' | 'desktopMuted'>>;

export const EMAIL_CHOICES: { value: EmailNotifications; label: string; description: string }[] = [
  {
    value: 'all',
    label: 'All messages',
    description: 'Email me about every message I miss in my servers, as well as direct messages and mentions.',
  },
  { value: 'mentions', label: 'Only mentions', description: 'Email me only when someone mentions me or sends me a direct message.' },
  { value: 'none', label: 'Nothing', description: 'Never email me about messages.' },
];

/** Tolerates a server that sends more or less than expected: unknown levels count as "all", ids are strings. */
export function fromServer(body: unknown): NotificationSettings {
  const value = (body ?? {}) as {
    email?: unknown;
    mutedServerIds?: unknown;
    desktopMuted?: unknown;
    servers?: unknown;
    channels?: unknown;
  };
  const email = value.email === 'mentions' || value.email === 'none' ? value.email : 'all';
  const muted = Array.isArray(value.mutedServerIds) ? value.mutedServerIds.map(String) : [];
  const rules = (list: unknown) => (Array.isArray(list) ? list.map(ruleFromServer).filter((r) => r !== null) : []);
  return {
    email,
    mutedServerIds: [...new Set(muted)],
    desktopMuted: value.desktopMuted === true,
    servers: rules(value.servers),
    channels: rules(value.channels),
  };
}

/** Mutes the server if it was not muted, and unmutes it if it was; order is kept. */
export function toggleMuted(ids: readonly string[], serverId: string): string[] {
  return ids.includes(serverId) ? ids.filter((id) => id !== serverId) : [...ids, serverId];
}

/** Only what changed, so two tabs editing different fields do not undo each other. Null when nothing changed. */
export function changes(before: NotificationSettings, after: NotificationSettings): NotificationSettingsPatch | null {
  const patch: NotificationSettingsPatch = {};
  if (before.email !== after.email) patch.email = after.email;
  const sameMuted =
    before.mutedServerIds.length === after.mutedServerIds.length && before.mutedServerIds.every((id) => after.mutedServerIds.includes(id));
  if (!sameMuted) patch.mutedServerIds = after.mutedServerIds;
  if (before.desktopMuted !== after.desktopMuted) patch.desktopMuted = after.desktopMuted;
  return Object.keys(patch).length > 0 ? patch : null;
}

/** The settings after the patch is applied, for the optimistic update. */
export function applyPatch(settings: NotificationSettings, patch: NotificationSettingsPatch): NotificationSettings {
  return {
    ...settings,
    email: patch.email ?? settings.email,
    mutedServerIds: patch.mutedServerIds ?? settings.mutedServerIds,
    desktopMuted: patch.desktopMuted ?? settings.desktopMuted,
  };
}

/** The settings with one rule replaced as the server will store it (a rule back at the defaults disappears). */
export function withRule(settings: NotificationSettings, scope: 'servers' | 'channels', id: string, change: RuleChange, now: number) {
  const others = settings[scope].filter((r) => r.id !== id);
  const rule: NotificationRule = {
    id,
    level: change.level,
    muted: change.muted,
    mutedUntil: change.muted && change.muteMinutes !== null ? new Date(now + change.muteMinutes * 60_000).toISOString() : null,
  };
  return { ...settings, [scope]: change.level === null && !change.muted ? others : [...others, rule] };
}
