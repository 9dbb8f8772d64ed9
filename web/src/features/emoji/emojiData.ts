import type { CompactEmoji, ShortcodesDataset } from 'emojibase';

/**
 * The emoji set, from emojibase-data (Unicode's emoji list with CLDR names and keywords, kept current with each
 * Unicode release) and its GitHub shortcode preset (`:smile:`, `:+1:`, the names Discord and Slack users type).
 * Loaded on first use only: the data is ~90 KB gzipped and the first screen does not need it.
 */

export interface Emoji {
  emoji: string;
  label: string;
  shortcodes: string[];
  tags: string[];
  group: number;
  /** The five skin-tone variants, light to dark, when the emoji has them. */
  skins?: string[];
}

export interface EmojiIndex {
  all: Emoji[];
  byGroup: Map<number, Emoji[]>;
  byShortcode: Map<string, Emoji>;
}

/** The picker's categories, in emojibase's group numbers (2, "components", holds bare skin tones and hair: not offered). */
export const CATEGORIES: { group: number; label: string; icon: string }[] = [
  { group: 0, label: 'Smileys & emotion', icon: '😀' },
  { group: 1, label: 'People & body', icon: '👋' },
  { group: 3, label: 'Animals & nature', icon: '🐻' },
  { group: 4, label: 'Food & drink', icon: '🍔' },
  { group: 5, label: 'Travel & places', icon: '✈️' },
  { group: 6, label: 'Activities', icon: '⚽' },
  { group: 7, label: 'Objects', icon: '💡' },
  { group: 8, label: 'Symbols', icon: '❤️' },
  { group: 9, label: 'Flags', icon: '🏳️' },
];

/**
 * One spelling per emoji, so reactions made from the picker, the quick bar and other clients count together: a lone
 * emoji that is shown as an emoji anyway loses its variation selector (👍 rather than 👍 + U+FE0F); ❤️ keeps it.
 */
export const canonical = (emoji: string) => emoji.replace(/^(\p{Emoji_Presentation})\uFE0F$/u, '$1');

export function buildIndex(data: CompactEmoji[], shortcodes: ShortcodesDataset): EmojiIndex {
  const all: Emoji[] = data
    .filter((e) => e.group !== undefined && e.group !== 2)
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .map((e) => {
      const codes = shortcodes[e.hexcode];
      return {
        emoji: canonical(e.unicode),
        label: e.label,
        shortcodes: codes === undefined ? [] : Array.isArray(codes) ? codes : [codes],
        tags: e.tags ?? [],
        group: e.group!,
        ...(e.skins && e.skins.length === 5 ? { skins: e.skins.map((s) => canonical(s.unicode)) } : {}),
      };
    });
  const byGroup = new Map<number, Emoji[]>();
  const byShortcode = new Map<string, Emoji>();
  for (const e of all) {
    byGroup.set(e.group, [...(byGroup.get(e.group) ?? []), e]);
    for (const code of e.shortcodes) if (!byShortcode.has(code)) byShortcode.set(code, e);
  }
  return { all, byGroup, byShortcode };
}

let loading: Promise<EmojiIndex> | null = null;
let loaded: EmojiIndex | null = null;

/** The index once it has been loaded (null before): for code that must not wait, like the composer's send. */
export const loadedEmoji = () => loaded;

export function loadEmoji(): Promise<EmojiIndex> {
  loading ??= Promise.all([import('emojibase-data/en/compact.json'), import('emojibase-data/en/shortcodes/github.json')]).then(
    ([data, codes]) => (loaded = buildIndex(data.default as CompactEmoji[], codes.default as ShortcodesDataset)),
    (error: unknown) => {
      loading = null; // a failed chunk load (a new deploy, a dropped connection) can be retried
      throw error;
    },
  );
  return loading;
}

/** The emoji with the chosen skin tone (0: none, 1–5: light to dark), when it has variants. */
export const withSkin = (e: Emoji, skin: number) => (skin > 0 && e.skins ? e.skins[skin - 1]! : e.emoji);

/**
 * Emoji for a search: shortcodes that start with the query first, then names, then keywords with a word starting
 * with it. Case-insensitive; `_`, `-` and spaces are the same.
 */
export function searchEmoji(index: EmojiIndex, query: string, limit = 80): Emoji[] {
  const q = query
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
  if (!q) return [];
  const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, ' ');
  const ranked: [number, Emoji][] = [];
  for (const e of index.all) {
    const rank = e.shortcodes.some((c) => norm(c) === q)
      ? 0
      : e.shortcodes.some((c) => norm(c).startsWith(q))
        ? 1
        : wordStarts(norm(e.label), q)
          ? 2
          : e.tags.some((t) => norm(t).startsWith(q))
            ? 3
            : -1;
    if (rank >= 0) ranked.push([rank, e]);
  }
  // Stable sort keeps Unicode's order within a rank.
  return ranked
    .sort((a, b) => a[0] - b[0])
    .slice(0, limit)
    .map(([, e]) => e);
}

/** Whether some word of `text`, with what follows it, starts with `q` ("face with" finds "grinning face with big eyes"). */
const wordStarts = (text: string, q: string) => text.startsWith(q) || text.includes(` ${q}`);

/** `:shortcode:`s the index knows, replaced by their emoji (unknown ones stay as typed, and code is left alone). */
export function replaceShortcodes(text: string, index: EmojiIndex): string {
  // Odd pieces are code blocks and inline code.
  return text
    .split(/(```[\s\S]*?```|`[^`\n]*`)/)
    .map((piece, i) =>
      i % 2 === 1
        ? piece
        : piece.replace(/:([a-z0-9_+-]{1,40}):/gi, (whole, code: string) => index.byShortcode.get(code.toLowerCase())?.emoji ?? whole),
    )
    .join('');
}
