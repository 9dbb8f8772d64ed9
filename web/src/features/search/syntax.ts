// The search box's client-side help: which filter is being typed (for autocomplete), completing it, and turning a hit's
// highlight ranges into text segments. The query itself is parsed by the server; nothing here decides what matches.
import type { HighlightRange, SearchHit } from '../../api/types';

export interface FilterKey {
  key: string;
  hint: string;
}

/** The filters the server understands (README "Search"), in the order the box offers them. */
export const FILTER_KEYS: FilterKey[] = [
  { key: 'from', hint: 'user' },
  { key: 'in', hint: 'channel' },
  { key: 'mentions', hint: 'user' },
  { key: 'has', hint: 'link, attachment, image, video or file' },
  { key: 'before', hint: 'date' },
  { key: 'after', hint: 'date' },
  { key: 'during', hint: 'date' },
  { key: 'pinned', hint: 'true or false' },
];

export const HAS_VALUES = ['link', 'attachment', 'image', 'video', 'file'];

/** The word the caret is in: where it starts and ends, and, when it is `key:value`, the filter key and the value so far. */
export interface CaretToken {
  start: number;
  end: number;
  text: string;
  key: string | null;
  value: string;
}

/** The whitespace-separated word around the caret (a quoted filter value may hold spaces: `in:"off topic`). */
export function tokenAt(text: string, caret: number): CaretToken {
  let start = caret;
  while (start > 0 && !/\s/.test(text[start - 1]!)) start--;
  // in:"two words — an open quote after a filter key keeps the token going back across spaces.
  const quoted = /(\S+:"[^"]*)$/.exec(text.slice(0, caret));
  if (quoted) start = caret - quoted[1]!.length;
  let end = caret;
  while (end < text.length && !/\s/.test(text[end]!)) end++;
  const word = text.slice(start, caret);
  const match = /^([a-z]+):(.*)$/i.exec(word);
  const key = match && FILTER_KEYS.some((f) => f.key === match[1]!.toLowerCase()) ? match[1]!.toLowerCase() : null;
  return { start, end, text: word, key, value: key ? match![2]!.replace(/^"/, '') : '' };
}

/** Replaces the token at the caret with `replacement` (and a space after it); returns the new text and caret. */
export function replaceToken(text: string, token: CaretToken, replacement: string): { text: string; caret: number } {
  const after = text.slice(token.end).replace(/^\s*/, '');
  const head = text.slice(0, token.start) + replacement;
  // A key alone ("from:") waits for its value; a finished filter gets a space so the next word can start.
  const spaced = replacement.endsWith(':') ? head : head + ' ';
  return { text: spaced + after, caret: spaced.length };
}

/** A filter value as the box writes it: quoted when it holds a space (`in:"off topic"`). */
export function filterValue(value: string): string {
  return /\s/.test(value) ? `"${value.replace(/"/g, '')}"` : value;
}

export interface Segment {
  text: string;
  highlighted: boolean;
}

/** The content cut into plain and highlighted runs; ranges are UTF-16 offsets from the server, merged and in order. */
export function highlightSegments(content: string, ranges: HighlightRange[]): Segment[] {
  const segments: Segment[] = [];
  let at = 0;
  for (const range of [...ranges].sort((a, b) => a.start - b.start)) {
    const start = Math.max(at, Math.min(content.length, range.start));
    const end = Math.min(content.length, range.start + range.length);
    if (end <= start) continue;
    if (start > at) segments.push({ text: content.slice(at, start), highlighted: false });
    segments.push({ text: content.slice(start, end), highlighted: true });
    at = end;
  }
  if (at < content.length) segments.push({ text: content.slice(at), highlighted: false });
  return segments;
}

export interface HitGroup {
  channelId: string;
  hits: SearchHit[];
}

/** Consecutive hits in the same channel under one heading, keeping the result order (newest, oldest or best first). */
export function groupByChannel(hits: SearchHit[]): HitGroup[] {
  const groups: HitGroup[] = [];
  for (const hit of hits) {
    const last = groups[groups.length - 1];
    if (last && last.channelId === hit.message.channelId) last.hits.push(hit);
    else groups.push({ channelId: hit.message.channelId, hits: [hit] });
  }
  return groups;
}

/** "1 result", "25 results", "1,000+ results". */
export function resultCount(total: number, capped: boolean): string {
  const n = total.toLocaleString('en-US');
  return capped ? `${n}+ results` : `${n} result${total === 1 ? '' : 's'}`;
}
