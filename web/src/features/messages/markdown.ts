/**
 * Markdown as Discord users write it, as a token tree. Blocks: ```code blocks```, `# headings` (1–3), `> quotes` and
 * `>>> ` (the rest of the message), `- ` / `* ` / `1. ` lists. Inline: **bold**, *italic* / _italic_, __underline__,
 * ~~strikethrough~~, `code`, ||spoilers||, http(s) links and masked links [text](https://…), and <@user>, <@&role>,
 * <#channel> mentions. Everything else is text. The renderer turns tokens into React elements, so no markup from a
 * message ever reaches the DOM as HTML.
 */
export type Token =
  | { kind: 'text'; text: string }
  | { kind: 'bold' | 'italic' | 'underline' | 'strike' | 'spoiler'; children: Token[] }
  | { kind: 'code'; text: string }
  | { kind: 'codeblock'; text: string; lang: string }
  | { kind: 'link'; href: string; children?: Token[] }
  | { kind: 'mention'; userId: string }
  | { kind: 'roleMention'; roleId: string }
  | { kind: 'channelMention'; channelId: string }
  | { kind: 'heading'; level: 1 | 2 | 3; children: Token[] }
  | { kind: 'quote'; children: Token[] }
  | { kind: 'list'; ordered: boolean; start: number; items: ListItem[] };

export interface ListItem {
  /** 0 for a top-level item, 1 for one indented under it (Discord shows two levels). */
  depth: number;
  children: Token[];
}

const URL_RE = /^https?:\/\/[^\s<>"']+/i;

/** A link is kept only when it parses as http or https; trailing punctuation stays outside it. */
export function safeHref(raw: string): string | null {
  const trimmed = raw.replace(/[.,:;!?)\]}]+$/, '');
  try {
    const url = new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? trimmed : null;
  } catch {
    return null;
  }
}

// Longer markers first: `__` is underline where `_` is italic, `**` bold where `*` is italic.
const INLINE_PAIRS: { open: string; kind: 'bold' | 'italic' | 'underline' | 'strike' | 'spoiler' }[] = [
  { open: '**', kind: 'bold' },
  { open: '__', kind: 'underline' },
  { open: '~~', kind: 'strike' },
  { open: '||', kind: 'spoiler' },
  { open: '*', kind: 'italic' },
  { open: '_', kind: 'italic' },
];

const MENTIONS: { re: RegExp; token: (id: string) => Token }[] = [
  { re: /^<@!?(\d{1,20})>/, token: (userId) => ({ kind: 'mention', userId }) },
  { re: /^<@&(\d{1,20})>/, token: (roleId) => ({ kind: 'roleMention', roleId }) },
  { re: /^<#(\d{1,20})>/, token: (channelId) => ({ kind: 'channelMention', channelId }) },
];

// [text](https://…): the text may not hold brackets or be empty; the address is checked by safeHref as a whole.
const MASKED_LINK_RE = /^\[([^[\]\n]{1,256})\]\((https?:\/\/[^\s()<>]+)\)/i;

const MAX_DEPTH = 5;

function pushText(out: Token[], text: string) {
  if (!text) return;
  const last = out[out.length - 1];
  if (last?.kind === 'text') last.text += text;
  else out.push({ kind: 'text', text });
}

function inline(src: string, depth: number, inLink = false): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    if (rest[0] === '`') {
      const end = src.indexOf('`', i + 1);
      if (end > i + 1) {
        out.push({ kind: 'code', text: src.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (rest[0] === '<') {
      const found = MENTIONS.map(({ re, token }) => ({ match: re.exec(rest), token })).find((m) => m.match);
      if (found?.match) {
        out.push(found.token(found.match[1]!));
        i += found.match[0].length;
        continue;
      }
    }
    if (!inLink && rest[0] === '[') {
      const masked = MASKED_LINK_RE.exec(rest);
      // The whole address must survive safeHref: one it would trim is not the address the author wrote.
      if (masked && safeHref(masked[2]!) === masked[2]) {
        out.push({ kind: 'link', href: masked[2]!, children: inline(masked[1]!, depth + 1, true) });
        i += masked[0].length;
        continue;
      }
    }
    if (!inLink && (rest[0] === 'h' || rest[0] === 'H') && (i === 0 || /[\s(]/.test(src[i - 1]!))) {
      const match = URL_RE.exec(rest);
      const href = match && safeHref(match[0]);
      if (href) {
        out.push({ kind: 'link', href });
        i += href.length;
        continue;
      }
    }
    if (depth < MAX_DEPTH) {
      const pair = INLINE_PAIRS.find((p) => rest.startsWith(p.open));
      if (pair) {
        const end = src.indexOf(pair.open, i + pair.open.length);
        if (end > i + pair.open.length) {
          out.push({ kind: pair.kind, children: inline(src.slice(i + pair.open.length, end), depth + 1, inLink) });
          i = end + pair.open.length;
          continue;
        }
      }
    }
    pushText(out, src[i]!);
    i++;
  }
  return out;
}

const HEADING_RE = /^(#{1,3}) (.+)$/;
const QUOTE_RE = /^>(?: (.*))?$/;
const LIST_RE = /^( *)([-*]|(\d{1,9})\.) (.*)$/;

/** Block structure of text without code fences, line by line; runs of plain lines are inline text. */
function blocks(src: string, depth: number): Token[] {
  const out: Token[] = [];
  const lines = src.split('\n');
  let plain: string[] = [];
  // A block starts on its own line anyway: the line break before it is layout, not text.
  const flushPlain = () => {
    if (plain.length === 0) return;
    out.push(...inline(plain.join('\n'), 0));
    plain = [];
  };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (depth < MAX_DEPTH && line.startsWith('>>> ')) {
      flushPlain();
      out.push({ kind: 'quote', children: blocks([line.slice(4), ...lines.slice(n + 1)].join('\n'), depth + 1) });
      return out;
    }
    const heading = HEADING_RE.exec(line);
    if (heading) {
      flushPlain();
      out.push({ kind: 'heading', level: heading[1]!.length as 1 | 2 | 3, children: inline(heading[2]!, 0) });
      continue;
    }
    if (depth < MAX_DEPTH && QUOTE_RE.test(line)) {
      flushPlain();
      const quoted: string[] = [];
      for (let q = QUOTE_RE.exec(line); q; q = QUOTE_RE.exec(lines[n] ?? '')) {
        quoted.push(q[1] ?? '');
        n++;
      }
      n--;
      out.push({ kind: 'quote', children: blocks(quoted.join('\n'), depth + 1) });
      continue;
    }
    const item = LIST_RE.exec(line);
    if (item) {
      flushPlain();
      const ordered = item[3] !== undefined;
      const list: Token & { kind: 'list' } = { kind: 'list', ordered, start: ordered ? Number(item[3]) : 1, items: [] };
      for (let m = LIST_RE.exec(lines[n] ?? ''); m && (m[3] !== undefined) === ordered; m = LIST_RE.exec(lines[n] ?? '')) {
        list.items.push({ depth: m[1]!.length >= 2 ? 1 : 0, children: inline(m[4]!, 0) });
        n++;
      }
      n--;
      out.push(list);
      continue;
    }
    plain.push(line);
  }
  flushPlain();
  return out;
}

/** Splits a message into tokens: fenced code blocks first (their content is literal), then blocks and inline markup. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const start = src.indexOf('```', i);
    if (start < 0) break;
    const end = src.indexOf('```', start + 3);
    if (end < 0) break;
    // The line break that ends the text before a block belongs to the block's layout, not the text.
    out.push(...blocks(src.slice(i, start).replace(/\n$/, ''), 0));
    let body = src.slice(start + 3, end);
    const firstLine = /^([a-z0-9+#-]{1,20})\n/i.exec(body);
    const lang = firstLine ? firstLine[1]! : '';
    if (firstLine) body = body.slice(firstLine[0].length);
    else if (body.startsWith('\n')) body = body.slice(1);
    out.push({ kind: 'codeblock', text: body.replace(/\n$/, ''), lang });
    i = end + 3;
    if (src[i] === '\n') i++;
  }
  out.push(...blocks(src.slice(i), 0));
  return out;
}

/** The user ids a message mentions with <@id>. */
export function mentionedIds(src: string): string[] {
  return [...src.matchAll(/<@!?(\d{1,20})>/g)].map((m) => m[1]!);
}

/**
 * A message's text with its mentions as the names a reader sees (@name, @role, #channel), for the places that show
 * it as plain text: a reply's one-line quote, the delete confirmation, a screen reader's label. Unknown roles and
 * channels read as the chips do.
 */
export function mentionsAsText(
  src: string,
  names: {
    nameOf: (userId: string) => string;
    roleOf?: (roleId: string) => { name: string } | undefined;
    channelOf?: (channelId: string) => { name: string } | undefined;
  },
): string {
  return src.replace(/<(@!?|@&|#)(\d{1,20})>/g, (_, kind: string, id: string) =>
    kind === '@&'
      ? `@${names.roleOf?.(id)?.name ?? 'deleted-role'}`
      : kind === '#'
        ? `#${names.channelOf?.(id)?.name ?? 'unknown-channel'}`
        : `@${names.nameOf(id)}`,
  );
}
