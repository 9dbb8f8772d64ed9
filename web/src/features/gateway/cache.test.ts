import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/messages';
import { messageKeys } from '../messages/queries';
import { serverKeys } from '../servers/queries';
import { applyEvent, HistoryLoads } from './cache';
import type { GatewayEvent } from './protocol';

const message = (id: string) => aMessage({ id, channelId: '10', content: `m${id}` });
const ev = (type: string, data: unknown): GatewayEvent => ({
  id: 'e',
  type,
  scope: 'channel',
  scopeId: '10',
  sequence: 1,
  data: JSON.stringify(data),
});

function setUp() {
  const loads = new HistoryLoads();
  return { qc: new QueryClient(), loads, hooks: { myId: () => '1', needFreshReady: () => {}, loads } };
}

describe('events during a history load', () => {
  it('are applied again on top of the REST answer, which may be older than them', () => {
    const { qc, loads, hooks } = setUp();
    loads.begin('10');
    applyEvent(qc, ev('MessageCreated', message('5')), hooks);
    applyEvent(qc, ev('MessageCreated', message('6')), hooks);
    applyEvent(qc, ev('MessageDeleted', { id: '4', channelId: '10' }), hooks);
    // The REST page was read before message 6 existed and while 4 still did.
    const page = loads.end('10', { messages: [message('4'), message('5')], hasMore: false }, '1');
    expect(page.messages.map((m) => m.id)).toEqual(['5', '6']);
    expect(qc.getQueryData(messageKeys.list('10'))).toBeUndefined();
  });

  it('are not kept once the load is over', () => {
    const { qc, loads, hooks } = setUp();
    loads.begin('10');
    loads.end('10', { messages: [], hasMore: false }, '1');
    applyEvent(qc, ev('MessageCreated', message('7')), hooks);
    expect(loads.end('10', { messages: [], hasMore: false }, '1').messages).toEqual([]);
  });
});

describe('being removed from a server', () => {
  it('drops the server and keeps why, until I join it again', () => {
    const { qc, hooks } = setUp();
    qc.setQueryData(serverKeys.list, [{ id: '22', name: 'Knitting', iconUrl: null, ownerId: '9', channels: [] }]);
    const userEvent = (type: string, data: unknown): GatewayEvent => ({ ...ev(type, data), scope: 'user', scopeId: '1' });

    applyEvent(
      qc,
      userEvent('ServerRemoved', { serverId: '22', reason: 'kicked', serverName: 'Knitting', moderatorReason: 'spoilers' }),
      hooks,
    );

    expect(qc.getQueryData(serverKeys.list)).toEqual([]);
    expect(qc.getQueryData<Record<string, unknown>>(serverKeys.removals)?.['22']).toEqual({
      serverId: '22',
      reason: 'kicked',
      serverName: 'Knitting',
      moderatorReason: 'spoilers',
    });
    applyEvent(qc, userEvent('ServerJoined', { id: '22', name: 'Knitting', iconUrl: null, ownerId: '9', memberCount: 2 }), hooks);
    expect(qc.getQueryData<Record<string, unknown>>(serverKeys.removals)?.['22']).toBeUndefined();
  });
});

describe('a private channel', () => {
  const serverEvent = (type: string, data: unknown): GatewayEvent => ({ ...ev(type, data), scope: 'server', scopeId: '22' });
  const channel = {
    id: '30',
    serverId: '22',
    type: 'text',
    name: 'war-room',
    topic: null,
    parentId: null,
    position: 3,
    slowModeSeconds: 0,
  };
  const ids = (qc: QueryClient) => qc.getQueryData<{ channels: { id: string }[] }[]>(serverKeys.list)?.[0]?.channels.map((c) => c.id);

  it('appears when an update reaches me for a channel I did not have, and asks for a fresh Ready for my permissions there', () => {
    const { qc, hooks } = setUp();
    let fresh = 0;
    qc.setQueryData(serverKeys.list, [{ id: '22', name: 'Knitting', iconUrl: null, ownerId: '9', channels: [] }]);

    applyEvent(qc, serverEvent('ChannelUpdated', channel), { ...hooks, needFreshReady: () => fresh++ });
    expect(ids(qc)).toEqual(['30']);
    expect(fresh).toBe(1);

    // Known now: a plain update, no reconnect.
    applyEvent(qc, serverEvent('ChannelUpdated', { ...channel, name: 'war-room-2' }), { ...hooks, needFreshReady: () => fresh++ });
    expect(fresh).toBe(1);

    // Hidden again: the server sends ChannelDeleted in place of what I may no longer see.
    applyEvent(qc, serverEvent('ChannelDeleted', { id: '30', serverId: '22' }), hooks);
    expect(ids(qc)).toEqual([]);
  });
});
