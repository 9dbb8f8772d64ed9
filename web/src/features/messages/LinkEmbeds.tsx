import type { MessageEmbed } from '../../api/types';
import { fitWithin } from '../attachments/placeholder';
import { mediaUrl } from '../attachments/upload';
import { MessageLink } from './Markdown';

/** A picture beside the text fits in this square; a large one (`twitter:card=summary_large_image`) in the box below. */
const THUMBNAIL_SIDE = 80;
const LARGE_WIDTH = 400;
const LARGE_HEIGHT = 300;

/**
 * The previews of a message's links, under it: site, title (the link) and description, all plain text the server
 * read from the page, and the page's picture from this server's copy (never from the page's site, which would learn who
 * reads), its box sized before it loads so that nothing below it moves. `onRemove` (the author's or a moderator's)
 * removes the message's previews for good.
 */
export function LinkEmbeds({ embeds, onRemove }: { embeds: MessageEmbed[]; onRemove?: () => void }) {
  if (embeds.length === 0) return null;
  const label = embeds.length === 1 ? 'Remove preview' : 'Remove previews';
  return (
    <div className="mt-1 flex max-w-xl flex-col gap-1" data-testid="link-embeds">
      {embeds.map((embed) => {
        const url = webUrl(embed.url);
        const image = embed.image ?? null;
        const large = image?.large ?? false;
        return (
          <div
            key={embed.url}
            data-testid="link-embed"
            className="relative min-w-0 rounded-md border-l-4 border-zinc-400 bg-zinc-100 py-2 pr-8 pl-3 dark:border-zinc-600 dark:bg-zinc-800/70"
          >
            <div className="flex min-w-0 gap-3">
              <div className="min-w-0 flex-1">
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
              </div>
              {image && !large && (
                <EmbedPicture image={image} alt={embed.title ?? ''} maxWidth={THUMBNAIL_SIDE} maxHeight={THUMBNAIL_SIDE} />
              )}
            </div>
            {image && large && (
              <div className="mt-2">
                <EmbedPicture image={image} alt={embed.title ?? ''} maxWidth={LARGE_WIDTH} maxHeight={LARGE_HEIGHT} />
              </div>
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

type EmbedImage = NonNullable<MessageEmbed['image']>;

/** The picture in a box of its own size, scaled to fit: the box is there before the bytes, so the list does not jump. */
function EmbedPicture({ image, alt, maxWidth, maxHeight }: { image: EmbedImage; alt: string; maxWidth: number; maxHeight: number }) {
  const size = fitWithin(image.width, image.height, maxWidth, maxHeight);
  return (
    <img
      src={mediaUrl(image.url)}
      alt={alt}
      width={size.width}
      height={size.height}
      loading="lazy"
      decoding="async"
      data-testid="link-embed-image"
      className="block h-auto max-w-full shrink-0 rounded bg-zinc-200 object-cover dark:bg-zinc-700"
      style={{ width: size.width, aspectRatio: `${size.width} / ${size.height}` }}
    />
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
