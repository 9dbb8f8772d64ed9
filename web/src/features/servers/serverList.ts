import type { Channel } from '../../api/types';
import type { ReadyChannel, ReadyServer } from '../gateway/protocol';

/**
 * Pure updates of the server list that Ready seeds (servers with the channels we can see and our permissions
 * there). The gateway applies them for events, and the mutations for their own answers: applying both is harmless.
 */

type ServerSummary = Pick<ReadyServer, 'id' | 'name' | 'iconUrl' | 'ownerId'> & { bannerUrl?: string | null };

export function updateChannelIn(servers: ReadyServer[], channelId: string, fn: (c: ReadyChannel) => ReadyChannel): ReadyServer[] {
  return servers.map((s) =>
    s.channels.some((c) => c.id === channelId) ? { ...s, channels: s.channels.map((c) => (c.id === channelId ? fn(c) : c)) } : s,
  );
}

export function addChannel(servers: ReadyServer[], c: Channel): ReadyServer[] {
  return servers.map((s) => {
    if (s.id !== c.serverId || s.channels.some((x) => x.id === c.id)) return s;
    // Ready alone knows our permissions per channel; until the next Ready assume the server's widest.
    const permissions = s.channels.reduce((acc, x) => (BigInt(x.permissions) > BigInt(acc) ? x.permissions : acc), '0');
    return {
      ...s,
      channels: [
        ...s.channels,
        {
          id: c.id,
          type: c.type,
          name: c.name,
          topic: c.topic,
          parentId: c.parentId,
          position: c.position,
          lastMessageId: c.lastMessageId,
          permissions,
        },
      ],
    };
  });
}

export function updateChannel(servers: ReadyServer[], c: Channel): ReadyServer[] {
  return updateChannelIn(servers, c.id, (x) => ({
    ...x,
    name: c.name,
    topic: c.topic,
    parentId: c.parentId,
    position: c.position,
  }));
}

export function removeChannel(servers: ReadyServer[], channelId: string): ReadyServer[] {
  return servers.map((s) => ({ ...s, channels: s.channels.filter((c) => c.id !== channelId) }));
}

export function updateServer(servers: ReadyServer[], s: ServerSummary): ReadyServer[] {
  return servers.map((x) =>
    x.id === s.id ? { ...x, name: s.name, iconUrl: s.iconUrl, bannerUrl: s.bannerUrl ?? null, ownerId: s.ownerId } : x,
  );
}

/** A server we joined, shown at once; the fresh Ready that follows brings its channels and our permissions. */
export function addJoinedServer(servers: ReadyServer[], s: ServerSummary): ReadyServer[] {
  return servers.some((x) => x.id === s.id)
    ? servers
    : [...servers, { id: s.id, name: s.name, iconUrl: s.iconUrl, ownerId: s.ownerId, channels: [] }];
}

export function removeServer(servers: ReadyServer[], serverId: string): ReadyServer[] {
  return servers.filter((s) => s.id !== serverId);
}
