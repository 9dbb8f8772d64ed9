import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/errors';
import { displayName } from '../users/displayName';
import { Markdown, type MentionNames } from './Markdown';
import { usePinMutation, usePins } from './queries';

/**
 * The header's pinned-messages button and its panel: each pin with its author and text, a link that opens the
 * channel at it, and Unpin for those who may pin. The list follows pins and unpins live while open.
 */
export function PinnedMessages({
  channelId,
  linkTo,
  canPin,
  names,
}: {
  channelId: string;
  /** Where a pinned message opens (the channel's route at that message). */
  linkTo: (messageId: string) => string;
  canPin: boolean;
  names: MentionNames;
}) {
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  return (
    <div className="relative shrink-0">
      <button
        type="button"
        aria-expanded={open}
        aria-label="Pinned messages"
        title="Pinned messages"
        onClick={() => setOpen((v) => !v)}
        className="rounded px-1.5 py-0.5 hover:bg-zinc-200 dark:hover:bg-zinc-700"
      >
        {/* Drawn, not an emoji: a system without an emoji font would show an empty box. */}
        <svg aria-hidden="true" viewBox="0 0 24 24" className="size-5 fill-current text-zinc-600 dark:text-zinc-300">
          <path d="M16 3a1 1 0 0 1 .7 1.7L15.4 6l2.6 5.2 1.3-1.3a1 1 0 0 1 1.4 1.4L17 15l4 4.6a1 1 0 0 1-1.4 1.4L15 17l-3.7 3.7a1 1 0 0 1-1.4-1.4l1.3-1.3L6 15.4l-1.3 1.3a1 1 0 0 1-1.4-1.4L7.3 11.6 14.6 4.3A1 1 0 0 1 16 3z" />
        </svg>
      </button>
      {open && <PinsPanel channelId={channelId} linkTo={linkTo} canPin={canPin} names={names} onClose={close} />}
    </div>
  );
}

function PinsPanel({
  channelId,
  linkTo,
  canPin,
  names,
  onClose,
}: {
  channelId: string;
  linkTo: (messageId: string) => string;
  canPin: boolean;
  names: MentionNames;
  onClose: () => void;
}) {
  const { data: pins, isPending, error } = usePins(channelId);
  const unpin = usePinMutation();
  const [unpinError, setUnpinError] = useState<string | null>(null);
  useEffect(() => {
    // Escape closes the panel first (captured before the app's Escape, which would mark the channel read).
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      onClose();
    };
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, [onClose]);
  return (
    <section
      aria-label="Pinned messages"
      // On a phone the button sits mid-header: the panel keeps to the screen's right edge instead of the button's.
      className="absolute right-0 top-9 z-30 flex max-h-[70vh] max-sm:fixed max-sm:top-auto max-sm:right-4 w-[min(24rem,calc(100vw-2rem))] flex-col rounded-lg border border-zinc-300 bg-white shadow-xl dark:border-zinc-700 dark:bg-zinc-900"
    >
      <h2 className="border-b border-zinc-200 px-3 py-2 font-semibold dark:border-zinc-700">Pinned messages</h2>
      <div className="overflow-y-auto p-2">
        {isPending && <p className="p-2 text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>}
        {error && (
          <p role="alert" className="p-2 text-sm text-red-700 dark:text-red-300">
            {errorMessage(error)}
          </p>
        )}
        {unpinError && (
          <p role="alert" className="p-2 text-sm text-red-700 dark:text-red-300">
            {unpinError}
          </p>
        )}
        {pins?.length === 0 && <p className="p-2 text-sm text-zinc-600 dark:text-zinc-400">This channel has no pinned messages yet.</p>}
        <ul className="flex flex-col gap-2">
          {pins?.map((m) => (
            <li key={m.id} data-testid="pinned-message" className="rounded-md border border-zinc-200 p-2 dark:border-zinc-700">
              <div className="flex items-baseline gap-2 text-sm">
                <span className="font-semibold">{displayName(m.author)}</span>
                <time dateTime={m.createdAt} className="text-xs text-zinc-600 dark:text-zinc-400">
                  {new Date(m.createdAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}
                </time>
              </div>
              <div className="line-clamp-6 text-sm whitespace-pre-wrap break-words">
                <Markdown content={m.content} names={names} />
              </div>
              <div className="mt-1 flex gap-3 text-sm">
                <Link to={linkTo(m.id)} onClick={onClose} className="text-blue-700 underline dark:text-sky-400">
                  Jump
                </Link>
                {canPin && (
                  <button
                    type="button"
                    className="text-red-700 underline dark:text-red-300"
                    onClick={() => unpin.mutate({ message: m, pinned: false }, { onError: (e) => setUnpinError(errorMessage(e)) })}
                  >
                    Unpin
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
