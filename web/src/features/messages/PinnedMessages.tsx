import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/errors';
import type { PanelControl } from '../../ui/HeaderMenu';
import { PinIcon } from '../../ui/icons';
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
  control: { open, onOpenChange },
  className = '',
}: {
  channelId: string;
  /** Where a pinned message opens (the channel's route at that message). */
  linkTo: (messageId: string) => string;
  canPin: boolean;
  names: MentionNames;
  control: PanelControl;
  className?: string;
}) {
  const close = useCallback(() => onOpenChange(false), [onOpenChange]);
  return (
    // On a phone the button is in the header's menu: this holder takes no room (no gap either), and the panel hangs
    // from the header (positioned) at the screen's right edge.
    <div className="relative shrink-0 max-sm:contents">
      <button
        type="button"
        aria-expanded={open}
        aria-label="Pinned messages"
        title="Pinned messages"
        onClick={() => onOpenChange(!open)}
        className={`rounded px-1.5 py-0.5 text-zinc-600 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-700 ${className}`}
      >
        <PinIcon />
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
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    // The focus moves into the panel, as into a dialog (on a phone the header's menu opened it, which is gone), and
    // back to what opened it when the panel closes with the focus inside.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const section = panel.current;
    section?.focus();
    return () => {
      const at = document.activeElement;
      if (opener?.isConnected && (!at || at === document.body || section?.contains(at))) opener.focus();
    };
  }, []);
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
      ref={panel}
      tabIndex={-1}
      aria-label="Pinned messages"
      className="absolute right-0 top-9 z-30 flex max-h-[70vh] max-sm:top-full max-sm:right-4 w-[min(24rem,calc(100vw-2rem))] flex-col rounded-lg border border-zinc-300 bg-white shadow-xl focus:outline-none dark:border-zinc-700 dark:bg-zinc-900"
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
