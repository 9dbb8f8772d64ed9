/** Recently used emoji and the chosen skin tone, kept in this browser (they are habits of a device, like Discord's). */

const RECENT_KEY = 'kamachat.emoji.recent';
const SKIN_KEY = 'kamachat.emoji.skin';
const MAX_RECENT = 24;

/** Shown before anything was used: the quick reactions Discord users expect. */
export const DEFAULT_RECENT = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🔥', '👀', '✅', '🙏'];

function read<T>(key: string, fallback: T, valid: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(key) ?? 'null');
    return valid(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isSkin = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 5;

export function recentEmoji(): string[] {
  const stored = read(RECENT_KEY, [] as string[], isStrings);
  return stored.length > 0 ? stored : DEFAULT_RECENT;
}

/** Moves the emoji to the front. */
export function rememberEmoji(emoji: string): void {
  const next = [emoji, ...read(RECENT_KEY, [] as string[], isStrings).filter((e) => e !== emoji)].slice(0, MAX_RECENT);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(next));
  } catch {
    // Storage full or blocked: the list just does not remember.
  }
}

export const skinTone = (): number => read(SKIN_KEY, 0, isSkin);

export function setSkinTone(skin: number): void {
  try {
    localStorage.setItem(SKIN_KEY, JSON.stringify(skin));
  } catch {
    // As above.
  }
}
