import { Highlight, Prism, type PrismTheme } from 'prism-react-renderer';

// Colours come from classes, not from a Prism theme, so each reads against both the light and the dark code
// background (the theme's inline colours would be fixed to one of them).
const EMPTY_THEME: PrismTheme = { plain: {}, styles: [] };

const TOKEN_CLASSES: [types: string[], className: string][] = [
  [['comment', 'prolog', 'doctype', 'cdata'], 'text-zinc-600 italic dark:text-zinc-400'],
  [['keyword', 'atrule', 'important', 'selector'], 'text-purple-800 dark:text-purple-300'],
  [['string', 'char', 'attr-value', 'regex', 'inserted'], 'text-green-800 dark:text-green-300'],
  [['number', 'boolean', 'constant', 'symbol'], 'text-orange-800 dark:text-orange-300'],
  [['function', 'class-name', 'builtin'], 'text-blue-800 dark:text-sky-300'],
  [['tag', 'attr-name', 'property', 'deleted'], 'text-rose-800 dark:text-rose-300'],
];

function classFor(types: string[]): string {
  return TOKEN_CLASSES.find(([names]) => names.some((n) => types.includes(n)))?.[1] ?? '';
}

/** Whether the bundled highlighter knows a fence's language (```ts, ```python, …). */
export function knowsLanguage(lang: string): boolean {
  return Object.hasOwn(Prism.languages, lang.toLowerCase());
}

/** A code block with syntax highlighting; loaded on demand, so the highlighter stays out of the initial bundle. */
export default function CodeBlock({ code, lang }: { code: string; lang: string }) {
  const language = lang.toLowerCase();
  if (!knowsLanguage(language)) return <code>{code}</code>;
  return (
    <Highlight code={code} language={language} theme={EMPTY_THEME}>
      {({ tokens, getLineProps, getTokenProps }) => (
        <code data-language={language}>
          {tokens.map((line, n) => (
            <span key={n} {...getLineProps({ line, className: 'block' })}>
              {line.map((token, k) => {
                const props = getTokenProps({ token });
                return <span key={k} {...props} className={classFor(token.types)} />;
              })}
            </span>
          ))}
        </code>
      )}
    </Highlight>
  );
}
