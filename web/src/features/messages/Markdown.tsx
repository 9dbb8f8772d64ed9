import { lazy, Suspense, useState, type MouseEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import { clientConfig } from '../../api/config';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { inAppPath, isTrusted, trustDomain } from './externalLinks';
import { tokenize, type ListItem, type Token } from './markdown';

// The highlighter is loaded with the first code block that names a language, not with the app.
const CodeBlock = lazy(() => import('./CodeBlock'));

/** How mentions in a message are shown: a user's name, a role's name and colour, a channel's name and address. */
export interface MentionNames {
  nameOf: (userId: string) => string;
  roleOf?: (roleId: string) => { name: string; color: number | null } | undefined;
  channelOf?: (channelId: string) => { name: string; path: string } | undefined;
}

const CHIP = 'rounded bg-brand/20 px-0.5 font-medium text-indigo-800 dark:text-indigo-200';

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

function LeavingDialog({ href, onClose }: { href: string; onClose: () => void }) {
  const [trust, setTrust] = useState(false);
  const host = new URL(href).hostname;
  const visit = () => {
    if (trust) trustDomain(localStorage, href);
    window.open(href, '_blank', 'noopener,noreferrer');
    onClose();
  };
  return (
    <Dialog title="Leaving KamaChat" onClose={onClose} description="This link goes to another website. Make sure you trust it:">
      <p className="rounded-md bg-zinc-100 p-2 font-mono text-sm break-all dark:bg-zinc-900">{href}</p>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={trust} onChange={(e) => setTrust(e.target.checked)} />
        Trust {host} links from now on
      </label>
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose} data-autofocus>
          Go back
        </Button>
        <Button onClick={visit}>Visit site</Button>
      </div>
    </Dialog>
  );
}

/**
 * A link in a message: in-app for this KamaChat's own addresses, otherwise asks before leaving for another site.
 * `rel` and `className` for a link the server wrote from another site's page (a preview's title).
 */
export function MessageLink({
  href,
  children,
  rel = 'noopener noreferrer',
  className = 'text-blue-700 underline dark:text-sky-400',
}: {
  href: string;
  children: ReactNode;
  rel?: string;
  className?: string;
}) {
  const [asking, setAsking] = useState(false);
  const path = inAppPath(href, [clientConfig.serverUrl, window.location.origin]);
  if (path !== null) {
    return (
      <Link to={path} className={className}>
        {children}
      </Link>
    );
  }
  const open = (e: MouseEvent) => {
    // A modified click (new tab, new window) is the user's own choice of where it goes; plain clicks ask first.
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0 || isTrusted(localStorage, href)) return;
    e.preventDefault();
    setAsking(true);
  };
  return (
    <>
      <a href={href} target="_blank" rel={rel} className={className} onClick={open}>
        {children}
      </a>
      {asking && <LeavingDialog href={href} onClose={() => setAsking(false)} />}
    </>
  );
}

function hexColor(color: number): string {
  return `#${color.toString(16).padStart(6, '0')}`;
}

function List({ ordered, start, items, names }: { ordered: boolean; start: number; items: ListItem[]; names: MentionNames }) {
  const Tag = ordered ? 'ol' : 'ul';
  return (
    <Tag start={ordered ? start : undefined} className={`my-0.5 pl-6 whitespace-normal ${ordered ? 'list-decimal' : 'list-disc'}`}>
      {items.map((item, key) => (
        <li key={key} className={item.depth > 0 ? 'ml-5' : undefined}>
          {render(item.children, names)}
        </li>
      ))}
    </Tag>
  );
}

const HEADING_CLASSES = { 1: 'text-2xl', 2: 'text-xl', 3: 'text-base' } as const;

function render(tokens: Token[], names: MentionNames): ReactNode[] {
  return tokens.map((t, key) => {
    switch (t.kind) {
      case 'text':
        return t.text;
      case 'bold':
        return <strong key={key}>{render(t.children, names)}</strong>;
      case 'italic':
        return <em key={key}>{render(t.children, names)}</em>;
      case 'underline':
        return <u key={key}>{render(t.children, names)}</u>;
      case 'strike':
        return <s key={key}>{render(t.children, names)}</s>;
      case 'spoiler':
        return <Spoiler key={key}>{render(t.children, names)}</Spoiler>;
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
            {t.lang ? (
              <Suspense fallback={<code>{t.text}</code>}>
                <CodeBlock code={t.text} lang={t.lang} />
              </Suspense>
            ) : (
              <code>{t.text}</code>
            )}
          </pre>
        );
      case 'link':
        return (
          <MessageLink key={key} href={t.href}>
            {t.children ? render(t.children, names) : t.href}
          </MessageLink>
        );
      case 'mention':
        return (
          <span key={key} className={CHIP}>
            @{names.nameOf(t.userId)}
          </span>
        );
      case 'roleMention': {
        const role = names.roleOf?.(t.roleId);
        // The text keeps the readable chip colour; the role's own colour tints the chip, so any colour stays legible.
        const tint = role?.color
          ? { backgroundColor: `${hexColor(role.color)}33`, boxShadow: `inset 0 0 0 1px ${hexColor(role.color)}` }
          : undefined;
        return (
          <span key={key} className={CHIP} style={tint} data-role-id={t.roleId}>
            @{role?.name ?? 'deleted-role'}
          </span>
        );
      }
      case 'channelMention': {
        const channel = names.channelOf?.(t.channelId);
        return channel ? (
          <Link key={key} to={channel.path} className={`${CHIP} hover:underline`}>
            #{channel.name}
          </Link>
        ) : (
          <span key={key} className={CHIP}>
            #unknown-channel
          </span>
        );
      }
      case 'heading': {
        const Tag = (['h3', 'h4', 'h5'] as const)[t.level - 1]!;
        return (
          <Tag key={key} className={`mt-1 font-bold ${HEADING_CLASSES[t.level]}`}>
            {render(t.children, names)}
          </Tag>
        );
      }
      case 'quote':
        return (
          <blockquote key={key} className="my-0.5 border-l-4 border-zinc-400 pl-3 dark:border-zinc-500">
            {render(t.children, names)}
          </blockquote>
        );
      case 'list':
        return <List key={key} ordered={t.ordered} start={t.start} items={t.items} names={names} />;
    }
  });
}

/** A message's text with Discord's markdown, as React elements (never as HTML). */
export function Markdown({ content, names }: { content: string; names: MentionNames }) {
  return <>{render(tokenize(content), names)}</>;
}
