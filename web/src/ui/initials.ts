const segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/** The user-perceived characters of a text (an emoji with its modifiers is one; a surrogate pair is never split). */
function graphemes(text: string): string[] {
  return segmenter ? Array.from(segmenter.segment(text), (s) => s.segment) : Array.from(text);
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * A server's initials as Discord shows them: the first letter or digit of each word, up to three ("Kama Club 🎉"
 * gives "KC"). A name with no letters or digits (only emoji) shows its first character whole.
 */
export function serverInitials(name: string): string {
  const initials = name
    .split(/\s+/)
    .map((word) => graphemes(word)[0])
    .filter((g): g is string => !!g && LETTER_OR_DIGIT.test(g));
  if (initials.length > 0) return initials.slice(0, 3).join('');
  return graphemes(name.trim())[0] ?? '';
}

/** The one character an avatar without a picture shows: the name's first, whole, upper-cased. */
export function firstGrapheme(name: string): string {
  return (graphemes(name.trim())[0] ?? '').toUpperCase();
}
