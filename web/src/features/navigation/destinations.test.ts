import { describe, expect, it } from 'vitest';
import { adjacentChannel, channelOrder, destinations, searchDestinations } from './destinations';

const server = {
  id: 's1',
  name: 'Kama Club',
  channels: [
    { id: 'cat', type: 'category', name: 'Talk', position: 0, parentId: null, lastMessageId: null },
    { id: 'c3', type: 'text', name: 'random', position: 1, parentId: 'cat', lastMessageId: '30' },
    { id: 'c2', type: 'text', name: 'général', position: 0, parentId: 'cat', lastMessageId: '20' },
    { id: 'c1', type: 'text', name: 'welcome', position: 5, parentId: null, lastMessageId: '10' },
    { id: 'v1', type: 'voice', name: 'Lounge', position: 2, parentId: null, lastMessageId: null },
  ],
};
const readStates = {
  c1: { channelId: 'c1', lastReadMessageId: '10', mentionCount: 0 },
  c2: { channelId: 'c2', lastReadMessageId: '5', mentionCount: 0 },
  c3: { channelId: 'c3', lastReadMessageId: '1', mentionCount: 2 },
};

describe('quick switcher destinations', () => {
  it('orders a server’s text channels as the sidebar does', () => {
    expect(channelOrder(server).map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
  });

  const all = destinations(
    [server],
    [{ id: 'd1', lastMessageId: '40', title: 'ann' }],
    [
      { id: 'u1', username: 'ann', name: 'ann', dmId: 'd1' },
      { id: 'u2', username: 'bob_r', name: 'Robert' },
    ],
    readStates,
  );

  it('lists DMs, channels with their server, servers, and people without a DM yet', () => {
    expect(all.map((d) => `${d.kind}:${d.label}`)).toEqual([
      'dm:ann',
      'channel:welcome',
      'channel:général',
      'channel:random',
      'server:Kama Club',
      'person:Robert',
    ]);
    expect(all.find((d) => d.id === 'c3')).toMatchObject({
      detail: 'Kama Club',
      unread: true,
      mentions: 2,
      path: '/servers/s1/channels/c3',
    });
    expect(all.find((d) => d.id === 's1')).toMatchObject({ unread: true, mentions: 2 });
    expect(all.find((d) => d.id === 'u2')?.path).toBeUndefined();
  });

  it('matches accents loosely, prefixes before substrings, and filters by # @ *', () => {
    expect(searchDestinations(all, 'gen').map((d) => d.id)).toEqual(['c2']);
    expect(searchDestinations(all, 'an').map((d) => d.id)).toEqual(['d1', 'c3']);
    expect(searchDestinations(all, '#').map((d) => d.id)).toEqual(['c3', 'c2', 'c1']);
    expect(searchDestinations(all, '@bob').map((d) => d.id)).toEqual(['u2']);
    expect(searchDestinations(all, '*k').map((d) => d.id)).toEqual(['s1']);
    expect(searchDestinations(all, 'nothing like it')).toEqual([]);
  });

  it('puts mentions, then unread first when nothing is typed', () => {
    expect(
      searchDestinations(all, '')
        .map((d) => d.id)
        .slice(0, 4),
    ).toEqual(['c3', 's1', 'd1', 'c2']);
  });
});

describe('Alt+arrow channel moves', () => {
  const order = [
    { id: 'a', unread: false },
    { id: 'b', unread: true },
    { id: 'c', unread: false },
    { id: 'd', unread: true },
  ];

  it('moves to the next or previous channel, wrapping around', () => {
    expect(adjacentChannel(order, 'a', 1)?.id).toBe('b');
    expect(adjacentChannel(order, 'a', -1)?.id).toBe('d');
    expect(adjacentChannel(order, 'd', 1)?.id).toBe('a');
    expect(adjacentChannel(order, undefined, 1)?.id).toBe('a');
    expect(adjacentChannel(order, undefined, -1)?.id).toBe('d');
  });

  it('with Shift, skips to unread channels only', () => {
    expect(adjacentChannel(order, 'b', 1, true)?.id).toBe('d');
    expect(adjacentChannel(order, 'b', -1, true)?.id).toBe('d');
    expect(adjacentChannel([{ id: 'a', unread: false }], 'a', 1, true)).toBeNull();
  });
});
