import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api, unwrap } from '../../api/client';
import type { Message } from '../../api/types';
import { applyChannelEvent, compareIds, prependOlder, upsertMessage, type MessagePage } from '../gateway/messageStore';
import { messageKeys, PAGE } from './queries';

/**
 * History opened at one message (a search hit) rather than at the present: loaded with `around=`, grown older and newer
 * as the reader scrolls, and kept apart from the live list. `hasNewer` while messages remain between it and the present.
 */
export interface MessageWindow extends MessagePage {
  hasNewer: boolean;
}

/** The window `around=` answered (newest first): up to half a page from the message on, the rest older. */
export function windowFromAround(listNewestFirst: Message[], messageId: string, pageSize: number): MessageWindow {
  let page: MessagePage = { messages: [], hasMore: false };
  for (const m of [...listNewestFirst].reverse()) page = upsertMessage(page, m);
  const newer = listNewestFirst.filter((m) => compareIds(m.id, messageId) >= 0).length;
  const older = listNewestFirst.length - newer;
  // The server takes (size + 1) / 2 from the message on, and fills the rest of the page with older ones.
  const newerWanted = Math.floor((pageSize + 1) / 2);
  return { ...page, hasNewer: newer >= newerWanted, hasMore: older > 0 && older >= pageSize - newer };
}

/** A page loaded with `after=` (answered newest first) added at the newer end. */
export function appendNewer(window: MessageWindow, newerNewestFirst: Message[], hasNewer: boolean): MessageWindow {
  let page: MessagePage = window;
  for (const m of [...newerNewestFirst].reverse()) page = upsertMessage(page, m);
  return { ...window, messages: page.messages, hasNewer };
}

/**
 * A channel event applied to a window: edits, deletions, reactions and pins always; a new message only once the window
 * reaches the present (otherwise it would sit after a gap of unloaded history).
 */
export function applyWindowEvent(window: MessageWindow, type: string, data: unknown, myId: string | undefined): MessageWindow {
  if (type === 'MessageCreated' && window.hasNewer) return window;
  const page = applyChannelEvent(window, type, data, myId);
  return page === window ? window : { ...window, messages: page.messages };
}

/** The window at `messageId`, or nothing when no message is asked for. */
export function useMessageWindow(channelId: string, messageId: string | null) {
  return useQuery({
    queryKey: messageKeys.around(channelId, messageId ?? ''),
    enabled: messageId !== null,
    staleTime: Infinity,
    gcTime: 60_000,
    queryFn: async () =>
      windowFromAround(
        await unwrap(
          api.GET('/api/v1/channels/{id}/messages', { params: { path: { id: channelId }, query: { around: messageId!, limit: PAGE } } }),
        ),
        messageId!,
        PAGE,
      ),
  });
}

/** Grows the window: older before its oldest message, or newer after its newest. */
export function useGrowMessageWindow(channelId: string, messageId: string) {
  const qc = useQueryClient();
  return useCallback(
    async (direction: 'older' | 'newer') => {
      const key = messageKeys.around(channelId, messageId);
      const window = qc.getQueryData<MessageWindow>(key);
      const edge = direction === 'older' ? window?.messages[0] : window?.messages[window.messages.length - 1];
      if (!window || !edge || !(direction === 'older' ? window.hasMore : window.hasNewer)) return;
      const cursor = direction === 'older' ? { before: edge.id } : { after: edge.id };
      const list = await unwrap(
        api.GET('/api/v1/channels/{id}/messages', { params: { path: { id: channelId }, query: { ...cursor, limit: PAGE } } }),
      );
      qc.setQueryData<MessageWindow>(key, (old) => {
        if (!old) return old;
        return direction === 'older'
          ? { ...old, ...prependOlder(old, list, list.length === PAGE) }
          : appendNewer(old, list, list.length === PAGE);
      });
    },
    [qc, channelId, messageId],
  );
}
