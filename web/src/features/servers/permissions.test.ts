import { describe, expect, it } from 'vitest';
import type { ReadyChannel, ReadyServer } from '../gateway/protocol';
import { duringTimeout, has, P } from './permissions';

const channel = (id: string, permissions: bigint): ReadyChannel =>
  ({
    id,
    type: 'text',
    name: id,
    topic: null,
    parentId: null,
    position: 0,
    lastMessageId: null,
    permissions: String(permissions),
  }) as ReadyChannel;

describe('duringTimeout', () => {
  it('leaves a timed-out moderator seeing and reading, and nothing else', () => {
    const moderator =
      P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY | P.SEND_MESSAGES | P.KICK_MEMBERS | P.BAN_MEMBERS | P.MANAGE_MESSAGES | P.MUTE_MEMBERS;
    const server = { id: 's', name: 'S', iconUrl: null, ownerId: 'o', channels: [channel('a', moderator)] } as unknown as ReadyServer;

    const [held] = duringTimeout(server).channels;

    expect(has(held!.permissions, P.VIEW_CHANNEL)).toBe(true);
    expect(has(held!.permissions, P.READ_MESSAGE_HISTORY)).toBe(true);
    for (const bit of [P.SEND_MESSAGES, P.KICK_MEMBERS, P.BAN_MEMBERS, P.MANAGE_MESSAGES, P.MUTE_MEMBERS])
      expect(has(held!.permissions, bit)).toBe(false);
    expect(server.channels[0]!.permissions).toBe(String(moderator));
  });

  it('never holds an administrator', () => {
    const server = {
      id: 's',
      name: 'S',
      iconUrl: null,
      ownerId: 'o',
      channels: [channel('a', P.ADMINISTRATOR | P.VIEW_CHANNEL)],
    } as unknown as ReadyServer;

    expect(duringTimeout(server).channels[0]!.permissions).toBe(String(P.ADMINISTRATOR | P.VIEW_CHANNEL));
  });
});
