import { useEffect, useState } from 'react';
import { loadEmoji, loadedEmoji, searchEmoji, withSkin, type EmojiIndex } from '../emoji/emojiData';
import { skinTone } from '../emoji/recent';
import type { Mentionable } from './Composer';

/** One suggestion under the composer: what it shows, and the text that replaces what was typed. */
export interface Suggestion {
  key: string;
  /** What the list shows (the emoji, or the member's name). */
  main: string;
  /** Shown dimmed after it (`@username`, `:shortcode:`). */
  detail: string;
  insert: string;
}

export interface Completion {
  /** What the list is, for screen readers. */
  label: string;
  /** How much of the text before the caret is replaced. */
  typed: number;
  options: Suggestion[];
}

const MENTION = /(?:^|\s)@(\w{0,32})$/;
/** `:sm` (two characters at least, as Discord waits for, so "10:30" or ":)" do not pop a list up). */
const SHORTCODE = /(?:^|\s):([a-z0-9_+-]{2,32})$/i;

/**
 * What the composer suggests for the text before the caret: members after `@`, emoji after `:` and two characters.
 * The emoji data loads the first time a `:` shortcode is started.
 */
export function useCompletion(before: string, members: Mentionable[]): Completion | null {
  const [emoji, setEmoji] = useState<EmojiIndex | null>(loadedEmoji);
  const shortcode = SHORTCODE.exec(before);
  const wantsEmoji = shortcode !== null && emoji === null;
  useEffect(() => {
    if (wantsEmoji) void loadEmoji().then(setEmoji, () => undefined);
  }, [wantsEmoji]);

  const mention = MENTION.exec(before);
  if (mention) {
    const q = mention[1]!.toLowerCase();
    const options = members
      .filter((m) => m.username.toLowerCase().startsWith(q) || m.name.toLowerCase().startsWith(q))
      .slice(0, 8)
      .map((m) => ({ key: m.id, main: m.name, detail: `@${m.username}`, insert: `<@${m.id}> ` }));
    return options.length ? { label: 'Members matching', typed: q.length + 1, options } : null;
  }
  if (shortcode && emoji) {
    const skin = skinTone();
    const options = searchEmoji(emoji, shortcode[1]!, 8)
      .filter((e) => e.shortcodes.length > 0)
      .map((e) => {
        const code = e.shortcodes.find((c) => c.startsWith(shortcode[1]!.toLowerCase())) ?? e.shortcodes[0]!;
        const chosen = withSkin(e, skin);
        return { key: e.emoji, main: chosen, detail: `:${code}:`, insert: chosen };
      });
    return options.length ? { label: 'Emoji matching', typed: shortcode[1]!.length + 1, options } : null;
  }
  return null;
}
