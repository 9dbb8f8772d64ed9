import { useState } from 'react';
import type { Message } from '../../api/types';
import { AudioPlayer } from './AudioPlayer';
import { Lightbox, useOpenLightbox } from './Lightbox';
import { fitWithin, placeholderDataUrl } from './placeholder';
import { formatSize } from './tray';
import { mediaUrl } from './upload';

export type Attachment = Message['attachments'][number];

const MAX_WIDTH = 400;
const MAX_HEIGHT = 300;

/** What a message carries: images and videos inline at a bounded size, audio with a player, anything else as a download card. */
export function MessageAttachments({ attachments }: { attachments: Attachment[] }) {
  if (attachments.length === 0) return null;
  return (
    <div className="mt-1 flex flex-col items-start gap-2" data-testid="message-attachments">
      {attachments.map((a) => (
        <AttachmentView key={a.id} attachment={a} />
      ))}
    </div>
  );
}

function AttachmentView({ attachment: a }: { attachment: Attachment }) {
  const kind = a.contentType.split('/')[0];
  if (a.state === 'ready' && kind === 'image' && a.thumbnailUrl) return <ImageAttachment attachment={a} />;
  if (a.state === 'ready' && kind === 'video' && (a.playbackUrl ?? a.url)) {
    const size = fitWithin(a.width, a.height, MAX_WIDTH, MAX_HEIGHT);
    return (
      // eslint-disable-next-line jsx-a11y/media-has-caption -- people's own uploads come without captions
      <video
        controls
        preload="metadata"
        aria-label={a.fileName}
        poster={a.thumbnailUrl ? mediaUrl(a.thumbnailUrl) : undefined}
        src={mediaUrl((a.playbackUrl ?? a.url)!)}
        width={size.width}
        height={size.height}
        className="max-w-full rounded-md bg-black"
      />
    );
  }
  if (a.state === 'ready' && kind === 'audio' && a.url) return <AudioPlayer attachment={a} />;
  return <FileCard attachment={a} />;
}

function ImageAttachment({ attachment: a }: { attachment: Attachment }) {
  const openInView = useOpenLightbox();
  const [openAlone, setOpenAlone] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const size = fitWithin(a.width, a.height, MAX_WIDTH, MAX_HEIGHT);
  const placeholder = placeholderDataUrl(a.placeholder);
  return (
    <>
      <button
        type="button"
        onClick={() => (openInView ? openInView(a.id) : setOpenAlone(true))}
        aria-label={`Open ${a.fileName}`}
        className="block max-w-full overflow-hidden rounded-md bg-zinc-200 bg-cover dark:bg-zinc-800"
        style={{ width: size.width, height: size.height, backgroundImage: !loaded && placeholder ? `url(${placeholder})` : undefined }}
        data-testid="attachment-image"
      >
        <img
          src={mediaUrl(a.thumbnailUrl!)}
          alt={a.fileName}
          width={size.width}
          height={size.height}
          loading="lazy"
          onLoad={() => setLoaded(true)}
          className={`h-full w-full object-cover transition-opacity ${loaded ? 'opacity-100' : 'opacity-0'}`}
        />
      </button>
      {openAlone && <Lightbox images={[a]} index={0} onIndex={() => undefined} onClose={() => setOpenAlone(false)} />}
    </>
  );
}

function FileCard({ attachment: a }: { attachment: Attachment }) {
  const status =
    a.state === 'pending' || a.state === 'processing'
      ? 'Processing…'
      : a.state === 'blocked'
        ? 'Removed: the virus scanner flagged it.'
        : formatSize(a.size);
  return (
    <div
      className="flex w-72 max-w-full items-center gap-3 rounded-md border border-zinc-300 bg-zinc-50 p-3 dark:border-zinc-700 dark:bg-zinc-900"
      data-testid="attachment-file"
    >
      <span aria-hidden="true" className="text-2xl">
        📄
      </span>
      <div className="min-w-0 flex-1">
        {a.url && a.state !== 'blocked' ? (
          <a href={mediaUrl(a.url)} download={a.fileName} className="block truncate font-medium text-brand underline" title={a.fileName}>
            {a.fileName}
          </a>
        ) : (
          <span className="block truncate font-medium" title={a.fileName}>
            {a.fileName}
          </span>
        )}
        <span className="text-xs text-zinc-600 dark:text-zinc-400">{status}</span>
      </div>
    </div>
  );
}
