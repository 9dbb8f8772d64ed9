import type { MessageEmbed } from '../../api/types';
import { MessageLink } from './Markdown';

/**
 * The previews of a message's links, under it: site, title (the link) and description, all plain text the server
 * read from the page. No picture: the browser must never load a third-party image (it would tell the site who reads).
 * `onRemove` (the author's or a moderator's) removes the message's previews for good.
 */
export function LinkEmbeds({ embeds, onRemove }: { embeds: MessageEmbed[]; onRemove?: () => void }) {
  if (embeds.length === 0) return null;
  const label = embeds.length === 1 ? 'Remove preview' : 'Remove previews';
  return (
    <div className="mt-1 flex max-w-xl flex-col gap-1" data-testid="link-embeds">
      {embeds.map((embed) => {
        const url = webUrl(embed.url);
        return (
          <div
            key={embed.url}
            data-testid="link-embed"
            className="relative min-w-0 rounded-md border-l-4 border-zinc-400 bg-zinc-100 py-2 pr-8 pl-3 dark:border-zinc-600 dark:bg-zinc-800/70"
          >
            {embed.siteName && <div className="truncate text-xs text-zinc-600 dark:text-zinc-400">{embed.siteName}</div>}
            <div className="font-semibold break-words">
              {url ? (
                <MessageLink
                  href={url.href}
                  rel="noopener noreferrer nofollow"
                  className="text-blue-700 hover:underline focus-visible:underline dark:text-sky-400"
                >
                  {embed.title ?? url.hostname}
                </MessageLink>
              ) : (
                embed.title
              )}
            </div>
            {embed.description && (
              <p className="line-clamp-3 text-sm break-words whitespace-normal text-zinc-700 dark:text-zinc-300">{embed.description}</p>
            )}
            {onRemove && (
              <button
                type="button"
                aria-label={label}
                title={label}
                onClick={onRemove}
                className="absolute top-1 right-1 rounded px-1.5 text-zinc-600 hover:bg-zinc-200 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
              >
                <span aria-hidden="true">✕</span>
              </button>
            )}
          </div>
        );
      })}
    </div>
  );
}

/** The preview's address when it is a web address (the server keeps only those; a client does not assume it). */
function webUrl(raw: string): URL | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
