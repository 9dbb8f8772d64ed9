import { useState, type ReactNode } from 'react';
import { tokenize, type Token } from './markdown';

function Spoiler({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState(false);
  return shown ? (
    <span className="rounded bg-zinc-200 px-0.5 dark:bg-zinc-700">{children}</span>
  ) : (
    <button
      type="button"
      onClick={() => setShown(true)}
      aria-label="Spoiler: click to reveal"
      className="rounded bg-zinc-800 px-0.5 text-transparent dark:bg-zinc-950"
    >
      <span aria-hidden="true">{children}</span>
    </button>
  );
}

function render(tokens: Token[], nameOf: (id: string) => string): ReactNode[] {
  return tokens.map((t, key) => {
    switch (t.kind) {
      case 'text':
        return t.text;
      case 'bold':
        return <strong key={key}>{render(t.children, nameOf)}</strong>;
      case 'italic':
        return <em key={key}>{render(t.children, nameOf)}</em>;
      case 'spoiler':
        return <Spoiler key={key}>{render(t.children, nameOf)}</Spoiler>;
      case 'code':
        return (
          <code key={key} className="rounded bg-zinc-200 px-1 py-0.5 font-mono text-[0.85em] dark:bg-zinc-800">
            {t.text}
          </code>
        );
      case 'codeblock':
        return (
          <pre
            key={key}
            className="my-1 overflow-x-auto rounded-md border border-zinc-300 bg-zinc-100 p-2 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-900"
          >
            <code>{t.text}</code>
          </pre>
        );
      case 'link':
        return (
          <a key={key} href={t.href} target="_blank" rel="noopener noreferrer" className="text-blue-700 underline dark:text-sky-400">
            {t.href}
          </a>
        );
      case 'mention':
        return (
          <span key={key} className="rounded bg-brand/20 px-0.5 font-medium text-indigo-800 dark:text-indigo-200">
            @{nameOf(t.userId)}
          </span>
        );
    }
  });
}

/** A message's text with its markdown subset, as React elements (never as HTML). */
export function Markdown({ content, nameOf }: { content: string; nameOf: (id: string) => string }) {
  return <>{render(tokenize(content), nameOf)}</>;
}
