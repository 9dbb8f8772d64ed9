import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, idParam, unwrap } from '../../api/client';
import type { DmChannel, Me, Member, Message } from '../../api/types';
import { beginLoad, endLoad, keys, sortDms } from '../gateway/cache';
import { useCached } from '../gateway/GatewayProvider';
import { addPending, prependOlder, setLocalState, upsertMessage, type ChatMessage, type MessagePage } from '../gateway/messageStore';
import type { ReadyServer } from '../gateway/protocol';

export const PAGE = 50;

export function useServers() {
  return useCached<ReadyServer[]>(keys.servers, []);
}

async function fetchLatest(qc: QueryClient, channelId: string): Promise<MessagePage> {
  beginLoad(channelId);
  let list: Message[];
  try {
    list = await unwrap(api.GET('/api/v1/channels/{id}/messages', { params: { path: { id: idParam(channelId) }, query: { limit: PAGE } } }));
  } catch (error) {
    endLoad(channelId, { messages: [], hasMore: false }, undefined);
    throw error;
  }
  let page: MessagePage = { messages: [], hasMore: list.length === PAGE };
  for (const m of [...list].reverse()) page = upsertMessage(page, m);
  // Keep what this client still has in flight or failed, and anything newer that arrived while loading.
  const current = qc.getQueryData<MessagePage>(keys.messages(channelId));
  for (const m of current?.messages ?? []) page = m.localState ? { ...page, messages: [...page.messages, m] } : page;
  return endLoad(channelId, page, qc.getQueryData<Me>(['users', '@me'])?.id);
}

/** A channel's history: the newest page from REST, then kept current by gateway events. */
export function useMessages(channelId: string) {
  const qc = useQueryClient();
  return useQuery({ queryKey: keys.messages(channelId), queryFn: () => fetchLatest(qc, channelId), staleTime: Infinity, gcTime: 5 * 60_000 });
}

export async function loadOlder(qc: QueryClient, channelId: string) {
  const page = qc.getQueryData<MessagePage>(keys.messages(channelId));
  const oldest = page?.messages.find((m) => !m.localState);
  if (!page?.hasMore || !oldest) return;
  const list = await unwrap(api.GET('/api/v1/channels/{id}/messages', {
    params: { path: { id: idParam(channelId) }, query: { before: idParam(oldest.id), limit: PAGE } },
  }));
  qc.setQueryData<MessagePage>(keys.messages(channelId), (old) => (old ? prependOlder(old, list, list.length === PAGE) : old));
}

/** A message nonce: crypto.randomUUID where the page is a secure context, random bytes otherwise (plain-http LAN hosts). */
export function newNonce(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Shows the message at once as pending; the server's copy (same nonce) replaces it; a failure marks it for Retry. */
export async function sendMessage(qc: QueryClient, me: Me, channelId: string, content: string, replyTo: Message | null, nonce: string = newNonce()) {
  const key = keys.messages(channelId);
  const pending: ChatMessage = {
    id: `pending:${nonce}`, channelId, author: { id: me.id, username: me.username, displayName: me.displayName, avatarUrl: me.avatarUrl },
    content, nonce, replyTo: replyTo ? { id: replyTo.id, authorId: replyTo.author.id, content: replyTo.content, deleted: false } : null,
    mentions: [], mentionRoles: [], mentionsEveryone: false, createdAt: new Date().toISOString(), editedAt: null, pinned: false,
    reactions: [], attachments: [], sequence: 0,
  };
  qc.setQueryData<MessagePage>(key, (old) => addPending(old ?? { messages: [], hasMore: false }, pending));
  try {
    const message = await unwrap(api.POST('/api/v1/channels/{id}/messages', {
      params: { path: { id: idParam(channelId) } },
      body: { content, nonce, replyTo: replyTo ? idParam(replyTo.id) : null },
    }));
    qc.setQueryData<MessagePage>(key, (old) => (old ? upsertMessage(old, message) : old));
  } catch {
    qc.setQueryData<MessagePage>(key, (old) => (old ? setLocalState(old, nonce, 'failed') : old));
  }
}

export function retrySend(qc: QueryClient, me: Me, message: ChatMessage) {
  const replyTo = message.replyTo ? ({ id: message.replyTo.id, author: { id: message.replyTo.authorId ?? '' }, content: message.replyTo.content ?? '' } as Message) : null;
  return sendMessage(qc, me, message.channelId, message.content, replyTo, message.nonce ?? undefined);
}

export function discardFailed(qc: QueryClient, message: ChatMessage) {
  qc.setQueryData<MessagePage>(keys.messages(message.channelId), (old) => (old ? { ...old, messages: old.messages.filter((m) => m !== message) } : old));
}

const msgPath = (m: Message) => ({ id: idParam(m.channelId), messageId: idParam(m.id) });

export const messageActions = {
  edit: (m: Message, content: string) => unwrap(api.PATCH('/api/v1/channels/{id}/messages/{messageId}', { params: { path: msgPath(m) }, body: { content } })),
  remove: (m: Message) => unwrap(api.DELETE('/api/v1/channels/{id}/messages/{messageId}', { params: { path: msgPath(m) } })),
  react: (m: Message, emoji: string, on: boolean) => {
    const params = { path: { ...msgPath(m), emoji } };
    return on
      ? unwrap(api.PUT('/api/v1/channels/{id}/messages/{messageId}/reactions/{emoji}/@me', { params }))
      : unwrap(api.DELETE('/api/v1/channels/{id}/messages/{messageId}/reactions/{emoji}/@me', { params }));
  },
  pin: (m: Message, on: boolean) => {
    const params = { path: { id: idParam(m.channelId), messageId: idParam(m.id) } };
    return on ? unwrap(api.PUT('/api/v1/channels/{id}/pins/{messageId}', { params })) : unwrap(api.DELETE('/api/v1/channels/{id}/pins/{messageId}', { params }));
  },
};

export function useMembers(serverId: string | undefined) {
  return useQuery({
    queryKey: keys.members(serverId ?? ''),
    enabled: !!serverId,
    staleTime: Infinity,
    queryFn: async () => {
      const all: Member[] = [];
      let after: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await unwrap(api.GET('/api/v1/servers/{id}/members', {
          params: { path: { id: idParam(serverId!) }, query: { limit: 100, ...(after ? { after: idParam(after) } : {}) } },
        }));
        all.push(...page);
        if (page.length < 100) break;
        after = page[page.length - 1]!.userId;
      }
      return all;
    },
  });
}

export function useDms() {
  return useQuery({
    queryKey: keys.dms,
    staleTime: Infinity,
    queryFn: async (): Promise<DmChannel[]> => sortDms(await unwrap(api.GET('/api/v1/users/@me/channels'))),
  });
}

export const displayName = (u: { username: string; displayName?: string | null; nickname?: string | null }) => u.nickname || u.displayName || u.username;

export function dmTitle(dm: DmChannel, myId: string | undefined) {
  if (dm.name) return dm.name;
  const others = dm.recipients.filter((r) => r.id !== myId);
  return (others.length ? others : dm.recipients).map((r) => displayName(r)).join(', ') || 'Direct message';
}

/** Permission bits (Permissions.cs). */
export const P = {
  CREATE_INVITE: 1n << 0n, KICK_MEMBERS: 1n << 1n, BAN_MEMBERS: 1n << 2n, ADMINISTRATOR: 1n << 3n, MANAGE_CHANNELS: 1n << 4n,
  MANAGE_SERVER: 1n << 5n, VIEW_CHANNEL: 1n << 10n, SEND_MESSAGES: 1n << 11n, MANAGE_MESSAGES: 1n << 13n, MANAGE_ROLES: 1n << 28n, PIN_MESSAGES: 1n << 29n, ADD_REACTIONS: 1n << 6n,
};

export function has(permissions: string | undefined, bit: bigint) {
  if (!permissions) return false;
  const value = BigInt(permissions);
  return (value & P.ADMINISTRATOR) !== 0n || (value & bit) !== 0n;
}

/** What we may do server-wide: Ready gives permissions per channel, so the union of those (everything for the owner). */
export function serverPermissions(server: ReadyServer | undefined, myId: string | undefined): string {
  if (!server) return '0';
  if (server.ownerId === myId) return String(P.ADMINISTRATOR);
  return String(server.channels.reduce((acc, c) => acc | BigInt(c.permissions), 0n));
}
