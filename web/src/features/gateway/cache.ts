import type { QueryClient } from '@tanstack/react-query';
import type { Channel, DmChannel, Member, Message, ReadState } from '../../api/types';
import { applyChannelEvent, compareIds, type MessagePage } from './messageStore';
import type { GatewayEvent, ReadyChannel, ReadyPayload, ReadyReadState, ReadyServer } from './protocol';

/** Query keys of what the gateway keeps up to date. */
export const keys = {
  servers: ['gateway', 'servers'] as const,
  readStates: ['gateway', 'readStates'] as const,
  presences: ['gateway', 'presences'] as const,
  dms: ['dms'] as const,
  messages: (channelId: string) => ['messages', channelId] as const,
  members: (serverId: string) => ['members', serverId] as const,
  typing: (channelId: string) => ['typing', channelId] as const,
};

export type ReadStates = Record<string, ReadyReadState>;
export type Presences = Record<string, string>;
/** userId → when the indicator ends (ms). */
export type Typing = Record<string, number>;

export function seedFromReady(qc: QueryClient, ready: ReadyPayload) {
  qc.setQueryData(keys.servers, ready.servers);
  qc.setQueryData<ReadStates>(keys.readStates, Object.fromEntries(ready.readStates.map((r) => [r.channelId, r])));
  qc.setQueryData<Presences>(keys.presences, Object.fromEntries(ready.presences.map((p) => [p.userId, p.status])));
  // Ready lists DMs without their people: reload the list only when it holds other conversations than ours.
  const dms = qc.getQueryData<DmChannel[]>(keys.dms);
  const same = dms && dms.length === ready.directChannels.length && ready.directChannels.every((d) => dms.some((x) => x.id === d.id));
  if (!same) void qc.invalidateQueries({ queryKey: keys.dms });
  else qc.setQueryData<DmChannel[]>(keys.dms, sortDms(dms.map((x) => ({ ...x, lastMessageId: ready.directChannels.find((d) => d.id === x.id)?.lastMessageId ?? x.lastMessageId }))));
}

/**
 * Channel events that arrive while the channel's history is being (re)loaded: the REST answer may be older than
 * them, so they are applied again on top of it (creates, edits, deletes and pins are idempotent).
 */
const duringLoad = new Map<string, { type: string; data: unknown }[]>();

export function beginLoad(channelId: string) {
  duringLoad.set(channelId, []);
}

export function endLoad(channelId: string, page: MessagePage, myId: string | undefined): MessagePage {
  const events = duringLoad.get(channelId) ?? [];
  duringLoad.delete(channelId);
  return events.filter((e) => !e.type.startsWith('Reaction')).reduce((acc, e) => applyChannelEvent(acc, e.type, e.data, myId), page);
}

function patchServers(qc: QueryClient, fn: (servers: ReadyServer[]) => ReadyServer[]) {
  qc.setQueryData<ReadyServer[]>(keys.servers, (old) => (old ? fn(old) : old));
}

function patchChannel(qc: QueryClient, channelId: string, fn: (c: ReadyChannel) => ReadyChannel) {
  patchServers(qc, (servers) => servers.map((s) => (s.channels.some((c) => c.id === channelId) ? { ...s, channels: s.channels.map((c) => (c.id === channelId ? fn(c) : c)) } : s)));
}

function noteLastMessage(qc: QueryClient, message: Message, myId: string | undefined) {
  const later = (c: { lastMessageId: string | null }) => !c.lastMessageId || compareIds(message.id, c.lastMessageId) > 0;
  patchChannel(qc, message.channelId, (c) => (later(c) ? { ...c, lastMessageId: message.id } : c));
  qc.setQueryData<DmChannel[]>(keys.dms, (old) => {
    if (!old || !old.some((d) => d.id === message.channelId)) return old;
    const next = old.map((d) => (d.id === message.channelId && later(d) ? { ...d, lastMessageId: message.id } : d));
    return sortDms(next);
  });
  if (message.author.id === myId) {
    // What we write, we have read.
    setReadState(qc, { channelId: message.channelId, lastReadMessageId: message.id, mentionCount: 0 });
  } else if (myId && (message.mentions.includes(myId) || message.mentionsEveryone)) {
    qc.setQueryData<ReadStates>(keys.readStates, (old) => {
      const current = old?.[message.channelId] ?? { channelId: message.channelId, lastReadMessageId: '0', mentionCount: 0 };
      return { ...old, [message.channelId]: { ...current, mentionCount: current.mentionCount + 1 } };
    });
  }
  // Their message ends their typing indicator.
  qc.setQueryData<Typing>(keys.typing(message.channelId), (old) => {
    if (!old?.[message.author.id]) return old;
    const { [message.author.id]: _, ...rest } = old;
    return rest;
  });
}

export function sortDms(list: DmChannel[]) {
  return [...list].sort((a, b) => compareIds(b.lastMessageId ?? b.id, a.lastMessageId ?? a.id));
}

export function setReadState(qc: QueryClient, state: ReadState) {
  qc.setQueryData<ReadStates>(keys.readStates, (old) => {
    const current = old?.[state.channelId];
    if (current && compareIds(current.lastReadMessageId, state.lastReadMessageId) > 0) return old;
    return { ...old, [state.channelId]: { channelId: state.channelId, lastReadMessageId: state.lastReadMessageId, mentionCount: Number(state.mentionCount) } };
  });
}

export interface ApplyHooks {
  myId: () => string | undefined;
  /** A structural change (joined a server, roles changed) that Ready describes best: reconnect for a fresh Ready. */
  needFreshReady: () => void;
}

/** Applies one event (already checked against its stream's cursor) to the query cache. */
export function applyEvent(qc: QueryClient, event: GatewayEvent, hooks: ApplyHooks) {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    return;
  }
  const myId = hooks.myId();
  if (event.scope === 'channel') {
    duringLoad.get(event.scopeId)?.push({ type: event.type, data });
    qc.setQueryData<MessagePage>(keys.messages(event.scopeId), (old) => (old ? applyChannelEvent(old, event.type, data, myId) : old));
    if (event.type === 'MessageCreated') noteLastMessage(qc, data as Message, myId);
    if (event.type === 'RecipientAdded' || event.type === 'RecipientRemoved') void qc.invalidateQueries({ queryKey: keys.dms });
    return;
  }
  switch (event.type) {
    case 'ChannelCreated': {
      const c = data as Channel;
      patchServers(qc, (servers) => servers.map((s) => {
        if (s.id !== c.serverId || s.channels.some((x) => x.id === c.id)) return s;
        // Ready alone knows our permissions per channel; until the next Ready assume the server's widest.
        const permissions = s.channels.reduce((acc, x) => (BigInt(x.permissions) > BigInt(acc) ? x.permissions : acc), '0');
        return { ...s, channels: [...s.channels, { id: c.id, type: c.type, name: c.name, topic: c.topic, parentId: c.parentId, position: Number(c.position), lastMessageId: c.lastMessageId, permissions }] };
      }));
      return;
    }
    case 'ChannelUpdated': {
      const c = data as Channel;
      patchChannel(qc, c.id, (x) => ({ ...x, name: c.name, topic: c.topic, parentId: c.parentId, position: Number(c.position) }));
      return;
    }
    case 'ChannelDeleted': {
      const { id } = data as { id: string };
      patchServers(qc, (servers) => servers.map((s) => ({ ...s, channels: s.channels.filter((c) => c.id !== id) })));
      return;
    }
    case 'ServerUpdated': {
      const s = data as { id: string; name: string; iconUrl: string | null; ownerId: string };
      patchServers(qc, (servers) => servers.map((x) => (x.id === s.id ? { ...x, name: s.name, iconUrl: s.iconUrl, ownerId: s.ownerId } : x)));
      void qc.invalidateQueries({ queryKey: ['server', s.id] });
      return;
    }
    case 'ServerDeleted':
    case 'ServerRemoved': {
      const { serverId } = data as { serverId: string };
      patchServers(qc, (servers) => servers.filter((s) => s.id !== serverId));
      return;
    }
    case 'MemberJoined':
    case 'MemberUpdated': {
      const m = data as Member;
      qc.setQueryData<Member[]>(keys.members(m.serverId), (old) => (old ? [...old.filter((x) => x.userId !== m.userId), m] : old));
      if (event.type === 'MemberUpdated' && m.userId === myId) hooks.needFreshReady();
      return;
    }
    case 'MemberLeft': {
      const m = data as { serverId: string; userId: string };
      qc.setQueryData<Member[]>(keys.members(m.serverId), (old) => old?.filter((x) => x.userId !== m.userId));
      return;
    }
    case 'RoleCreated':
    case 'RoleUpdated':
    case 'RoleDeleted':
      void qc.invalidateQueries({ queryKey: ['roles', event.scopeId] });
      if (event.type !== 'RoleCreated') hooks.needFreshReady();
      return;
    case 'ServerJoined': {
      // Shown at once; the fresh Ready brings its channels and our permissions there.
      const joined = data as { id: string; name: string; iconUrl: string | null; ownerId: string };
      patchServers(qc, (servers) => (servers.some((x) => x.id === joined.id) ? servers : [...servers, { id: joined.id, name: joined.name, iconUrl: joined.iconUrl, ownerId: joined.ownerId, channels: [] }]));
      hooks.needFreshReady();
      return;
    }
    case 'DmChannelCreated':
    case 'DmChannelUpdated': {
      const d = data as DmChannel;
      qc.setQueryData<DmChannel[]>(keys.dms, (old) => (old ? sortDms([...old.filter((x) => x.id !== d.id), d]) : old));
      return;
    }
    case 'DmChannelRemoved': {
      const { id } = data as { id: string };
      qc.setQueryData<DmChannel[]>(keys.dms, (old) => old?.filter((x) => x.id !== id));
      return;
    }
    case 'ReadStateUpdated':
      setReadState(qc, data as ReadState);
      return;
    default:
  }
}
