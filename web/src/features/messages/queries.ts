import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { api, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { Me, Message } from '../../api/types';
import type { HistoryLoads } from '../gateway/cache';
import { useGateway } from '../gateway/context';
import {
  addPending,
  appendNewer,
  compareIds,
  prependOlder,
  removeMessage,
  setLocalState,
  updateMessage,
  upsertMessage,
  type ChatMessage,
  type MessagePage,
} from '../gateway/messageStore';
import { userKeys } from '../users/queries';
import { ChannelSendQueue } from './sendQueue';

export const PAGE = 50;

export const messageKeys = {
  /** A channel's loaded history (newest page, older pages as scrolled to, our pending sends); patched by events. */
  list: (channelId: string) => ['messages', channelId] as const,
  /** A channel's pinned messages, most recently pinned first; refetched after a message event there while shown. */
  pins: (channelId: string) => ['pins', channelId] as const,
};

async function fetchLatest(qc: QueryClient, loads: HistoryLoads, channelId: string): Promise<MessagePage> {
  loads.begin(channelId);
  let list: Message[];
  try {
    list = await unwrap(api.GET('/api/v1/channels/{id}/messages', { params: { path: { id: channelId }, query: { limit: PAGE } } }));
  } catch (error) {
    loads.end(channelId, { messages: [], hasMore: false }, undefined);
    throw error;
  }
  let page: MessagePage = { messages: [], hasMore: list.length === PAGE };
  for (const m of [...list].reverse()) page = upsertMessage(page, m);
  // Keep what this client still has in flight or failed, and anything newer that arrived while loading.
  const current = qc.getQueryData<MessagePage>(messageKeys.list(channelId));
  for (const m of current?.messages ?? []) page = m.localState ? { ...page, messages: [...page.messages, m] } : page;
  return loads.end(channelId, page, qc.getQueryData<Me>(userKeys.me)?.id);
}

/** A channel's history: the newest page from REST, then kept current by gateway events. */
export function useMessages(channelId: string) {
  const qc = useQueryClient();
  const { loads } = useGateway();
  return useQuery({
    queryKey: messageKeys.list(channelId),
    queryFn: () => fetchLatest(qc, loads, channelId),
    staleTime: Infinity,
    gcTime: 5 * 60_000,
  });
}

/** Loads the page before the oldest loaded message (the list calls it when scrolled near the top). */
export function useLoadOlderMessages(channelId: string) {
  const qc = useQueryClient();
  return useCallback(async () => {
    const page = qc.getQueryData<MessagePage>(messageKeys.list(channelId));
    const oldest = page?.messages.find((m) => !m.localState);
    if (!page?.hasMore || !oldest) return;
    const list = await unwrap(
      api.GET('/api/v1/channels/{id}/messages', {
        params: { path: { id: channelId }, query: { before: oldest.id, limit: PAGE } },
      }),
    );
    qc.setQueryData<MessagePage>(messageKeys.list(channelId), (old) => (old ? prependOlder(old, list, list.length === PAGE) : old));
  }, [qc, channelId]);
}

/** A jump's page: this many messages, half of them from the target on (so at most PAGE newer). */
const AROUND = PAGE * 2;

/**
 * Opens the history at a message (a link or a notification to it) when it is not among the loaded ones: the
 * messages around it replace the loaded page, marked `hasNewer` while the newest ones are still beyond a gap.
 * Resolves with whether the message was found.
 */
export function useJumpToMessage(channelId: string) {
  const qc = useQueryClient();
  const { loads } = useGateway();
  return useCallback(
    async (messageId: string) => {
      await qc.cancelQueries({ queryKey: messageKeys.list(channelId) });
      loads.begin(channelId);
      let list: Message[] = [];
      try {
        list = await unwrap(
          api.GET('/api/v1/channels/{id}/messages', {
            params: { path: { id: channelId }, query: { around: messageId, limit: AROUND } },
          }),
        );
      } finally {
        // The server sends up to AROUND / 2 messages from the target on, and fills the rest with older ones.
        const newer = list.filter((m) => compareIds(m.id, messageId) >= 0).length;
        let page: MessagePage = { messages: [], hasMore: list.length === AROUND, hasNewer: newer === AROUND / 2 };
        for (const m of [...list].reverse()) page = upsertMessage(page, m);
        page = loads.end(channelId, page, qc.getQueryData<Me>(userKeys.me)?.id);
        if (list.length > 0) qc.setQueryData<MessagePage>(messageKeys.list(channelId), page);
      }
      return list.some((m) => m.id === messageId);
    },
    [qc, loads, channelId],
  );
}

/** After a jump: loads the page after the newest loaded message (the list calls it when scrolled near the end). */
export function useLoadNewerMessages(channelId: string) {
  const qc = useQueryClient();
  const { loads } = useGateway();
  return useCallback(async () => {
    const page = qc.getQueryData<MessagePage>(messageKeys.list(channelId));
    const newest = [...(page?.messages ?? [])].reverse().find((m) => !m.localState);
    if (!page?.hasNewer || !newest) return;
    // Events that arrive while this page loads are applied on top of it once it closes the gap.
    loads.begin(channelId);
    let list: Message[] | null = null;
    try {
      list = await unwrap(
        api.GET('/api/v1/channels/{id}/messages', {
          params: { path: { id: channelId }, query: { after: newest.id, limit: AROUND } },
        }),
      );
    } finally {
      const old = qc.getQueryData<MessagePage>(messageKeys.list(channelId));
      const next = old && list ? appendNewer(old, [...list].reverse(), list.length === AROUND) : null;
      const applied = loads.end(channelId, next ?? { messages: [], hasMore: false }, qc.getQueryData<Me>(userKeys.me)?.id);
      if (next) qc.setQueryData<MessagePage>(messageKeys.list(channelId), applied);
    }
  }, [qc, loads, channelId]);
}

/** Leaves a jump: back to the newest messages, live again. */
export function useJumpToPresent(channelId: string) {
  const qc = useQueryClient();
  return useCallback(() => qc.invalidateQueries({ queryKey: messageKeys.list(channelId) }), [qc, channelId]);
}

/** Finds, when asked, our newest sent message in a channel (Up in an empty composer edits it). */
export function useLastOwnMessage(channelId: string, myId: string | undefined) {
  const qc = useQueryClient();
  return useCallback(() => {
    const page = qc.getQueryData<MessagePage>(messageKeys.list(channelId));
    return [...(page?.messages ?? [])].reverse().find((m) => m.author.id === myId && !m.localState);
  }, [qc, channelId, myId]);
}

/** A message nonce: crypto.randomUUID where the page is a secure context, random bytes otherwise (plain-http LAN hosts). */
export function newNonce(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export interface SendMessage {
  channelId: string;
  content: string;
  replyTo: Message['replyTo'];
  /** The same nonce on a retry: the server then answers with the original message instead of a second one. */
  nonce: string;
  author: Me;
  /** Uploads (from the composer's tray) the message carries. */
  attachmentIds?: string[];
}

/** The quote a reply carries, from the message replied to. */
export const replyPreview = (m: Message): Message['replyTo'] => ({ id: m.id, authorId: m.author.id, content: m.content, deleted: false });

/**
 * Why a message was not sent, when the reason is the recipient's (a block or their privacy settings; the server words it
 * the same for both) or ours (we blocked them); other failures just offer Retry.
 */
function sendFailure(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.code === 'cannot_message_user')
    return 'This user is not accepting direct messages from you. They may accept messages only from friends or from members of some servers.';
  if (error.code === 'user_blocked') return 'You blocked this user. Unblock them from their profile to message them.';
  return undefined;
}

/** Sends a message as the channel's send queue says, one at a time per channel (sendQueue.ts). */
const postMessage = ({ channelId, content, nonce, replyTo, attachmentIds }: SendMessage) =>
  unwrap(
    api.POST('/api/v1/channels/{id}/messages', {
      params: { path: { id: channelId } },
      body: { content, nonce, replyTo: replyTo?.id ?? null, attachmentIds: attachmentIds?.length ? attachmentIds : null },
    }),
  );

function pendingCopy({ channelId, content, nonce, replyTo, author }: SendMessage): ChatMessage {
  return {
    id: `pending:${nonce}`,
    channelId,
    kind: 'default',
    target: null,
    author: { id: author.id, username: author.username, displayName: author.displayName, avatarUrl: author.avatarUrl },
    content,
    nonce,
    replyTo,
    mentions: [],
    mentionRoles: [],
    mentionsEveryone: false,
    createdAt: new Date().toISOString(),
    editedAt: null,
    pinned: false,
    reactions: [],
    attachments: [],
    embeds: [],
    embedsSuppressed: false,
    sequence: 0,
  };
}

/** Every channel's send queue, for one query client (one signed-in session). */
class SendQueues {
  private readonly queues = new Map<string, ChannelSendQueue<SendMessage, Message>>();

  constructor(private readonly qc: QueryClient) {
    // A refused send whose message did arrive (the answer was lost, its event was not) is sent: let the rest go.
    qc.getQueryCache().subscribe((event) => {
      const [kind, channelId] = event.query.queryKey as unknown[];
      if (event.type !== 'updated' || kind !== 'messages' || typeof channelId !== 'string') return;
      const queue = this.queues.get(channelId);
      const head = queue?.nonces[0];
      const page = event.query.state.data as MessagePage | undefined;
      if (head && page?.messages.some((m) => !m.localState && m.nonce === head)) queue!.confirmed(head);
    });
  }

  of(channelId: string) {
    let queue = this.queues.get(channelId);
    if (!queue) {
      const update = (fn: (page: MessagePage) => MessagePage) =>
        this.qc.setQueryData<MessagePage>(messageKeys.list(channelId), (old) => (old ? fn(old) : old));
      queue = new ChannelSendQueue<SendMessage, Message>({
        send: postMessage,
        onState: (item, state, error) =>
          update((page) => setLocalState(page, item.nonce, state, state === 'failed' ? sendFailure(error) : undefined)),
        onSent: (_item, message) => update((page) => upsertMessage(page, message)),
      });
      this.queues.set(channelId, queue);
    }
    return queue;
  }
}

const sendQueues = new WeakMap<QueryClient, SendQueues>();

/**
 * Sending: the message shows at once (pending, or held behind one that was refused); the server's copy (same
 * nonce) replaces it; a refused one offers Retry (same nonce: never doubled) and Discard.
 */
export function useSendQueue() {
  const qc = useQueryClient();
  let queues = sendQueues.get(qc);
  if (!queues) {
    queues = new SendQueues(qc);
    sendQueues.set(qc, queues);
  }
  const all = queues;
  return useMemo(
    () => ({
      send: (message: SendMessage) => {
        const { channelId } = message;
        // Writing from further back in the history: go back to the newest messages, where this one goes.
        if (qc.getQueryData<MessagePage>(messageKeys.list(channelId))?.hasNewer)
          void qc.invalidateQueries({ queryKey: messageKeys.list(channelId) });
        qc.setQueryData<MessagePage>(messageKeys.list(channelId), (old) =>
          addPending(old ?? { messages: [], hasMore: false }, pendingCopy(message)),
        );
        all.of(channelId).enqueue(message);
      },
      retry: (message: ChatMessage) => message.nonce && all.of(message.channelId).retry(message.nonce),
      /** Drops a message that was refused or waits behind one (it exists only here). */
      discard: (message: ChatMessage) => {
        if (message.nonce && !all.of(message.channelId).discard(message.nonce)) return;
        qc.setQueryData<MessagePage>(messageKeys.list(message.channelId), (old) =>
          old ? { ...old, messages: old.messages.filter((m) => !(m.localState && m.nonce === message.nonce)) } : old,
        );
      },
    }),
    [qc, all],
  );
}

const messagePath = (m: Message) => ({ id: m.channelId, messageId: m.id });

// Edits, reactions and pins come back as the channel's events (MessageUpdated, ReactionAdded, MessagePinned ...), in
// the channel's order; applying our own answer as well could put an older state over a newer one, so they do not.

export function useEditMessageMutation() {
  return useMutation({
    mutationFn: ({ message, content }: { message: Message; content: string }) =>
      unwrap(api.PATCH('/api/v1/channels/{id}/messages/{messageId}', { params: { path: messagePath(message) }, body: { content } })),
  });
}

export function useDeleteMessageMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (message: Message) =>
      unwrap(api.DELETE('/api/v1/channels/{id}/messages/{messageId}', { params: { path: messagePath(message) } })),
    // Removing is the same whether our answer or the MessageDeleted event comes first.
    onSuccess: (_result, message) =>
      qc.setQueryData<MessagePage>(messageKeys.list(message.channelId), (old) => (old ? removeMessage(old, message.id) : old)),
  });
}

export function useReactionMutation() {
  return useMutation({
    mutationFn: ({ message, emoji, on }: { message: Message; emoji: string; on: boolean }) => {
      const params = { path: { ...messagePath(message), emoji } };
      return on
        ? unwrap(api.PUT('/api/v1/channels/{id}/messages/{messageId}/reactions/{emoji}/@me', { params }))
        : unwrap(api.DELETE('/api/v1/channels/{id}/messages/{messageId}/reactions/{emoji}/@me', { params }));
    },
  });
}

/** Removes a message's link previews for good (the author or MANAGE_MESSAGES); MessageUpdated brings the same. */
export function useRemoveEmbedsMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (message: Message) =>
      unwrap(api.DELETE('/api/v1/channels/{id}/messages/{messageId}/embeds', { params: { path: messagePath(message) } })),
    onSuccess: (_result, message) =>
      qc.setQueryData<MessagePage>(messageKeys.list(message.channelId), (old) => {
        const current = old?.messages.find((m) => m.id === message.id);
        return old && current ? updateMessage(old, { ...current, embeds: [], embedsSuppressed: true }) : old;
      }),
  });
}

export function usePins(channelId: string) {
  return useQuery({
    queryKey: messageKeys.pins(channelId),
    queryFn: () => unwrap(api.GET('/api/v1/channels/{id}/pins', { params: { path: { id: channelId } } })),
  });
}

export function usePinMutation() {
  return useMutation({
    mutationFn: ({ message, pinned }: { message: Message; pinned: boolean }) => {
      const params = { path: messagePath(message) };
      return pinned
        ? unwrap(api.PUT('/api/v1/channels/{id}/pins/{messageId}', { params }))
        : unwrap(api.DELETE('/api/v1/channels/{id}/pins/{messageId}', { params }));
    },
  });
}
