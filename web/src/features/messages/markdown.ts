/**
 * A small markdown subset as a token tree: **bold**, *italic* / _italic_, `code`, ```code blocks```, ||spoilers||,
 * http(s) links and <@id> mentions. Everything else is text. The renderer turns tokens into React elements, so
 * no markup from a message ever reaches the DOM as HTML.
 */
export type Token =
  | { kind: 'text'; text: string }
  | { kind: 'bold' | 'italic' | 'spoiler'; children: Token[] }
  | { kind: 'code'; text: string }
  | { kind: 'codeblock'; text: string; lang: string }
  | { kind: 'link'; href: string }
  | { kind: 'mention'; userId: string };

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

const INLINE_PAIRS: { open: string; kind: 'bold' | 'italic' | 'spoiler' }[] = [
  { open: '**', kind: 'bold' },
  { open: '||', kind: 'spoiler' },
  { open: '*', kind: 'italic' },
  { open: '_', kind: 'italic' },
];

function pushText(out: Token[], text: string) {
  if (!text) return;
  const last = out[out.length - 1];
  if (last?.kind === 'text') last.text += text;
  else out.push({ kind: 'text', text });
}

function inline(src: string, depth: number): Token[] {
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
    const mention = /^<@!?(\d{1,20})>/.exec(rest);
    if (mention) {
      out.push({ kind: 'mention', userId: mention[1]! });
      i += mention[0].length;
      continue;
    }
    if ((rest[0] === 'h' || rest[0] === 'H') && (i === 0 || /[\s(]/.test(src[i - 1]!))) {
      const match = URL_RE.exec(rest);
      const href = match && safeHref(match[0]);
      if (href) {
        out.push({ kind: 'link', href });
        i += href.length;
        continue;
      }
    }
    if (depth < 5) {
      const pair = INLINE_PAIRS.find((p) => rest.startsWith(p.open));
      if (pair) {
        const end = src.indexOf(pair.open, i + pair.open.length);
        if (end > i + pair.open.length) {
          out.push({ kind: pair.kind, children: inline(src.slice(i + pair.open.length, end), depth + 1) });
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

/** Splits a message into tokens: fenced code blocks first (their content is literal), then inline markup. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const start = src.indexOf('```', i);
    if (start < 0) break;
    const end = src.indexOf('```', start + 3);
    if (end < 0) break;
    out.push(...inline(src.slice(i, start), 0));
    let body = src.slice(start + 3, end);
    const firstLine = /^([a-z0-9+#-]{1,20})\n/i.exec(body);
    const lang = firstLine ? firstLine[1]! : '';
    if (firstLine) body = body.slice(firstLine[0].length);
    else if (body.startsWith('\n')) body = body.slice(1);
    out.push({ kind: 'codeblock', text: body.replace(/\n$/, ''), lang });
    i = end + 3;
  }
  out.push(...inline(src.slice(i), 0));
  return out;
}

/** The user ids a message mentions with <@id>. */
export function mentionedIds(src: string): string[] {
  return [...src.matchAll(/<@!?(\d{1,20})>/g)].map((m) => m[1]!);
}
