/**
 * Per-server and per-channel notification rules, as the server stores them (GET/PUT
 * /api/v1/users/@me/notification-settings/{servers|channels}/{id}) and applies them to Web Push and email digests.
 * The same rules as the server's NotificationPolicy: a channel's level overrides its server's; servers default to
 * "mentions", DMs to "all"; a mute (for a while, or until turned back on) silences everything.
 */

export type NotificationLevel = 'all' | 'mentions' | 'nothing';

export interface NotificationRule {
  id: string;
  /** null: inherit (a channel its server's level, a server the default). */
  level: NotificationLevel | null;
  muted: boolean;
  /** ISO time the mute ends; null while muted means until turned back on. */
  mutedUntil: string | null;
}

export interface RuleChange {
  level: NotificationLevel | null;
  muted: boolean;
  /** null: until turned back on. */
  muteMinutes: number | null;
}

export const LEVELS: { value: NotificationLevel; label: string }[] = [
  { value: 'all', label: 'All messages' },
  { value: 'mentions', label: 'Only @mentions' },
  { value: 'nothing', label: 'Nothing' },
];

/** The mute choices Discord users know; `null` minutes: until turned back on. */
export const MUTE_CHOICES: { minutes: number | null; label: string }[] = [
  { minutes: 15, label: 'For 15 minutes' },
  { minutes: 60, label: 'For 1 hour' },
  { minutes: 480, label: 'For 8 hours' },
  { minutes: 1440, label: 'For 24 hours' },
  { minutes: null, label: 'Until I turn it back on' },
];

export const defaultLevel = (direct: boolean): NotificationLevel => (direct ? 'all' : 'mentions');

export function isMuted(rule: NotificationRule | undefined, now: number): boolean {
  return !!rule?.muted && (rule.mutedUntil === null || Date.parse(rule.mutedUntil) > now);
}

/** Whether a message in this conversation pops up, by the user's rules. */
export function notifies(
  direct: boolean,
  mentioned: boolean,
  server: NotificationRule | undefined,
  channel: NotificationRule | undefined,
  now: number,
): boolean {
  if (isMuted(channel, now) || isMuted(server, now)) return false;
  const level = channel?.level ?? server?.level ?? defaultLevel(direct);
  return level === 'all' || (level === 'mentions' && mentioned);
}

export function ruleFromServer(value: unknown): NotificationRule | null {
  const r = (value ?? {}) as Record<string, unknown>;
  if (typeof r.id !== 'string' && typeof r.id !== 'number') return null;
  const level = r.level === 'all' || r.level === 'mentions' || r.level === 'nothing' ? r.level : null;
  return { id: String(r.id), level, muted: r.muted === true, mutedUntil: typeof r.mutedUntil === 'string' ? r.mutedUntil : null };
}

/** "Muted until 14:05", "Muted until Tue 09:00", or "Muted" (until turned back on). */
export function mutedText(rule: NotificationRule, now: Date): string {
  if (!rule.mutedUntil) return 'Muted until you turn it back on';
  const until = new Date(rule.mutedUntil);
  const sameDay = until.toDateString() === now.toDateString();
  const time = until.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `Muted until ${sameDay ? time : `${until.toLocaleDateString([], { weekday: 'short' })} ${time}`}`;
}
