import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useGateway, useReadStates } from '../gateway/context';
import { compareIds, type ChatMessage } from '../gateway/messageStore';
import { MessageSkeleton } from '../../ui/Skeleton';
import { LightboxProvider, lightboxImages } from '../attachments/Lightbox';
import { MessageRow, type RowActions } from './MessageRow';
import { useJumpToMessage, useJumpToPresent, useLoadNewerMessages, useLoadOlderMessages, useMessages } from './queries';
import { countAfter, firstUnreadIndex } from './unread';

const GROUP_MS = 5 * 60_000;
const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const NO_MESSAGES: ChatMessage[] = [];

function isGrouped(prev: ChatMessage | undefined, m: ChatMessage) {
  return (
    !!prev &&
    prev.author.id === m.author.id &&
    (prev.kind ?? 'default') === 'default' &&
    (m.kind ?? 'default') === 'default' &&
    !m.replyTo &&
    new Date(m.createdAt).getTime() - new Date(prev.createdAt).getTime() < GROUP_MS
  );
}

/**
 * The channel's messages, virtualized: only the rows near the viewport are in the DOM. With a `target` (a link to a
 * message), the list opens there, loading the history around it when needed, and marks it.
 */
export function MessageList({
  channelId,
  target,
  editingId,
  actions,
  header,
}: {
  channelId: string;
  target?: string;
  editingId: string | null;
  actions: RowActions;
  header: React.ReactNode;
}) {
  const gateway = useGateway();
  const { data, isPending, isError, isFetching } = useMessages(channelId);
  const loadOlder = useLoadOlderMessages(channelId);
  const loadNewer = useLoadNewerMessages(channelId);
  const jumpTo = useJumpToMessage(channelId);
  const jumpToPresent = useJumpToPresent(channelId);
  const readStates = useReadStates();
  const messages = data?.messages ?? NO_MESSAGES;
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [loadingNewer, setLoadingNewer] = useState(false);
  /** The target already shown (or looked for), so that later updates do not scroll the reader back to it. */
  const shownTarget = useRef<string | null>(null);
  const [missingTarget, setMissingTarget] = useState<string | null>(null);
  const anchor = useRef<{ firstId: string; total: number; top: number } | null>(null);
  /** Scrolled away from the end (state, for what it shows; `atBottom` is the ref the scroll handlers read). */
  const [scrolledUp, setScrolledUp] = useState(false);

  // The read marker as the channel was opened: the divider stays there while the channel is open, as in Discord.
  // Known once Ready has brought the read states (a channel never read has none, and no divider).
  const lastRead = readStates[channelId]?.lastReadMessageId;
  const [marker, setMarker] = useState(lastRead);
  if (marker === undefined && lastRead !== undefined) setMarker(lastRead);
  const myId = actions.myId;
  const divider = firstUnreadIndex(messages, marker, myId);
  const unreadAtOpen = countAfter(messages, marker, myId);
  const newSinceRead = countAfter(messages, lastRead, myId);

  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 56,
    overscan: 8,
    getItemKey: (i) => messages[i]!.nonce ?? messages[i]!.id,
  });

  // Open at the first unread message, not at the end: reading the messages, not opening the channel, marks them read.
  // Before the pin-to-end effect below, which would otherwise take the reader to the end first.
  // When the marker is further back than the loaded page, the history around it loads first, then the list goes there.
  const opened = useRef(false);
  const toDividerOnLoad = useRef(false);
  useLayoutEffect(() => {
    if (toDividerOnLoad.current && divider.index >= 0 && !divider.before) {
      toDividerOnLoad.current = false;
      virtualizer.scrollToIndex(divider.index, { align: 'start' });
    }
    if (opened.current || target || !data || marker === undefined) return;
    opened.current = true;
    if (divider.before && data.hasMore) {
      atBottom.current = false;
      toDividerOnLoad.current = true;
      void jumpTo(marker!).catch(() => undefined);
    } else if (divider.index > 0) {
      atBottom.current = false;
      virtualizer.scrollToIndex(divider.index, { align: 'start' });
    }
  }, [target, data, marker, divider.index, divider.before, jumpTo, virtualizer]);

  // Keep the view pinned to the newest message while the reader is at the bottom, and go there when we send.
  const count = messages.length;
  const newest = messages[count - 1];
  const newestId = newest?.id;
  const newestPending = newest?.localState === 'pending' || newest?.localState === 'held';
  // Also when the messages grow without a new one (a link's preview arriving, the window narrowing): measured, the
  // list is taller, and a reader at the end stays at the end rather than below the fold of the newest message.
  const totalSize = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    if (newestPending) atBottom.current = true;
    if (atBottom.current && count) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [count, newestId, newestPending, totalSize, virtualizer]);

  // After an older page lands, hold the reader where they were.
  useLayoutEffect(() => {
    const a = anchor.current;
    const el = scrollRef.current;
    if (!a || !el || messages[0]?.id === a.firstId) return;
    anchor.current = null;
    el.scrollTop = a.top + (virtualizer.getTotalSize() - a.total);
  }, [messages, virtualizer]);

  const lastId = [...messages].reverse().find((m) => !m.localState)?.id;
  const ack = useCallback(() => {
    // At the end: following it, or shown it all (a channel opened at its divider whose new messages fit the view).
    const el = scrollRef.current;
    const shownAll = !!el && el.scrollHeight - el.scrollTop - el.clientHeight < 60;
    if (!(atBottom.current || shownAll) || !lastId || document.visibilityState !== 'visible') return;
    const read = readStates[channelId]?.lastReadMessageId;
    if (!read || compareIds(lastId, read) > 0) void gateway.ack(channelId, lastId);
  }, [lastId, readStates, channelId, gateway]);
  useEffect(ack, [ack]);

  // Open at the target: once the history is loaded, scroll to it, or load the messages around it first.
  useEffect(() => {
    if (!target || shownTarget.current === target || !data || isFetching) return;
    const index = messages.findIndex((m) => m.id === target);
    if (index >= 0) {
      shownTarget.current = target;
      setMissingTarget(null);
      atBottom.current = false;
      virtualizer.scrollToIndex(index, { align: 'center' });
      requestAnimationFrame(() => {
        const el = scrollRef.current;
        // Focused, so keyboard and screen reader users start reading there too.
        el?.querySelector<HTMLElement>(`[data-message-id="${target}"]`)?.focus({ preventScroll: true });
        // A short history may show it without scrolling: then the reader is at the end, and has read it.
        if (el && !data.hasNewer && el.scrollHeight - el.scrollTop - el.clientHeight < 60) {
          atBottom.current = true;
          ack();
        }
      });
      return;
    }
    shownTarget.current = target;
    void jumpTo(target)
      .then((found) => {
        // Found: the effect runs again with the new page and scrolls there. Not found: deleted, or never here.
        if (found) shownTarget.current = null;
        else setMissingTarget(target);
      })
      .catch(() => undefined);
  }, [target, data, isFetching, messages, virtualizer, jumpTo, ack]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
    if (scrolledUp === atBottom.current) setScrolledUp(!atBottom.current);
    if (atBottom.current) ack();
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 300 && data?.hasNewer && !loadingNewer) {
      setLoadingNewer(true);
      loadNewer()
        .catch(() => undefined)
        .finally(() => setLoadingNewer(false));
    }
    if (el.scrollTop < 300 && data?.hasMore && !loadingOlder) {
      setLoadingOlder(true);
      anchor.current = { firstId: messages[0]?.id ?? '', total: virtualizer.getTotalSize(), top: el.scrollTop };
      loadOlder()
        .catch(() => undefined)
        .finally(() => setLoadingOlder(false));
    }
  };

  const toDivider = () => {
    atBottom.current = false;
    if (divider.index >= 0 && !divider.before) virtualizer.scrollToIndex(divider.index, { align: 'start' });
    else if (marker) {
      toDividerOnLoad.current = true;
      void jumpTo(marker).catch(() => undefined);
    }
  };
  const toPresent = () => {
    atBottom.current = true;
    setScrolledUp(false);
    if (data?.hasNewer) void jumpToPresent();
    else if (count) virtualizer.scrollToIndex(count - 1, { align: 'end' });
    ack();
  };
  const firstNew = divider.index >= 0 ? messages[divider.index] : undefined;
  // The lightbox steps through every image loaded in the view, not only the rows the virtualizer shows.
  const images = useMemo(() => messages.flatMap((m) => lightboxImages(m.attachments)), [messages]);

  return (
    <LightboxProvider images={images}>
      <div ref={scrollRef} onScroll={onScroll} className="relative min-h-0 flex-1 overflow-y-auto" data-testid="message-scroller">
        {newSinceRead > 0 && unreadAtOpen > 0 && firstNew && (
          <div role="status" className="sticky top-0 z-20 flex items-center gap-3 bg-brand px-4 py-1 text-sm font-medium text-white shadow">
            <span className="flex-1">
              {unreadAtOpen}
              {(divider.before && data?.hasMore) || data?.hasNewer ? '+' : ''} new message{unreadAtOpen === 1 ? '' : 's'} since{' '}
              {time(firstNew.createdAt)}
            </span>
            <button type="button" className="underline" onClick={toDivider}>
              Jump
            </button>
            <button type="button" className="underline" onClick={() => lastId && void gateway.ack(channelId, lastId)}>
              Mark as read
            </button>
          </div>
        )}
        {!data?.hasMore && !isPending && header}
        {loadingOlder && (
          <p role="status" className="p-2 text-center text-sm text-zinc-600 dark:text-zinc-400">
            Loading older messages…
          </p>
        )}
        {isPending && <MessageSkeleton />}
        {isError && (
          <p role="alert" className="p-4 text-sm text-red-700 dark:text-red-400">
            This channel could not be loaded.
          </p>
        )}
        {target && missingTarget === target && (
          <p role="status" className="p-4 text-sm text-zinc-600 dark:text-zinc-400">
            That message is no longer here; it may have been deleted. These are the messages around where it was.
          </p>
        )}
        {/* A feed holds articles: with none yet (an empty channel) it is a plain box, not an empty feed. */}
        <div
          role={messages.length > 0 ? 'feed' : undefined}
          aria-label={messages.length > 0 ? 'Messages' : undefined}
          aria-busy={messages.length > 0 ? loadingOlder : undefined}
          style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
        >
          {virtualizer.getVirtualItems().map((item) => {
            const m = messages[item.index]!;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                // A row's pop-up (its reaction pickers) paints over the rows after it, which come later and would cover it.
                className="has-[[data-popover]]:z-20"
                style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
              >
                <MessageRow
                  message={m}
                  grouped={isGrouped(messages[item.index - 1], m)}
                  editing={editingId === m.id}
                  targeted={m.id === target}
                  firstNew={item.index === divider.index}
                  actions={actions}
                />
              </div>
            );
          })}
        </div>
        {loadingNewer && (
          <p role="status" className="p-2 text-center text-sm text-zinc-600 dark:text-zinc-400">
            Loading newer messages…
          </p>
        )}
        <div className="h-4" />
        {(data?.hasNewer || (scrolledUp && newSinceRead > 0)) && (
          <div className="sticky bottom-2 flex justify-center">
            <button
              type="button"
              // Back at the end once the newest messages are in, and following them again.
              onClick={toPresent}
              className="rounded-full bg-brand px-4 py-1.5 text-sm font-medium text-white shadow-lg hover:bg-brand-strong"
            >
              {newSinceRead > 0
                ? `${newSinceRead}${data?.hasNewer ? '+' : ''} new message${newSinceRead === 1 ? '' : 's'} · Jump to present`
                : 'You’re viewing older messages · Jump to present'}
            </button>
          </div>
        )}
      </div>
    </LightboxProvider>
  );
}
