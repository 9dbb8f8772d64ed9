import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/messages';
import { messageKeys } from '../messages/queries';
import { serverKeys } from '../servers/queries';
import { applyEvent, applyServerView, applyVoiceState, HistoryLoads, type EndedCalls, type VoiceStates } from './cache';
import type { GatewayEvent, ReadyChannel, ReadyServer, VoiceState } from './protocol';

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

  it('appears when an update reaches me for a channel I did not have, without a fresh Ready (my server view brings my permissions)', () => {
    const { qc, hooks } = setUp();
    let fresh = 0;
    qc.setQueryData(serverKeys.list, [{ id: '22', name: 'Knitting', iconUrl: null, ownerId: '9', channels: [] }]);

    applyEvent(qc, serverEvent('ChannelUpdated', channel), { ...hooks, needFreshReady: () => fresh++ });
    expect(ids(qc)).toEqual(['30']);

    // Known now: a plain update.
    applyEvent(qc, serverEvent('ChannelUpdated', { ...channel, name: 'war-room-2' }), { ...hooks, needFreshReady: () => fresh++ });
    expect(fresh).toBe(0);

    // Hidden again: the server sends ChannelDeleted in place of what I may no longer see.
    applyEvent(qc, serverEvent('ChannelDeleted', { id: '30', serverId: '22' }), hooks);
    expect(ids(qc)).toEqual([]);
  });
});

describe('a server view (after a role, overwrite or member-role change)', () => {
  const channel = (id: string, permissions: string, type = 'text'): ReadyChannel => ({
    id,
    type,
    name: `c${id}`,
    topic: null,
    parentId: null,
    position: Number(id),
    lastMessageId: null,
    permissions,
  });
  const servers = (): ReadyServer[] => [
    { id: '22', name: 'Big', iconUrl: null, ownerId: '9', channels: [channel('30', '1024'), channel('31', '1024')] },
    { id: '23', name: 'Other', iconUrl: null, ownerId: '9', channels: [channel('40', '1024')] },
  ];

  it('replaces that server channels and permissions alone: hidden ones go with their history, new ones show', () => {
    const { qc } = setUp();
    qc.setQueryData(serverKeys.list, servers());
    qc.setQueryData(messageKeys.list('31'), { messages: [message('5')], hasMore: false });
    qc.setQueryData(messageKeys.list('30'), { messages: [message('6')], hasMore: false });

    const change = applyServerView(qc, { serverId: '22', sequence: 7, channels: [channel('30', '3072'), channel('32', '1024')] });

    expect(change).toEqual({ shown: ['32'], hidden: ['31'], voice: false });
    const list = qc.getQueryData<ReadyServer[]>(serverKeys.list)!;
    expect(list[0]!.channels.map((c) => [c.id, c.permissions])).toEqual([
      ['30', '3072'],
      ['32', '1024'],
    ]);
    expect(list[1]).toEqual(servers()[1]);
    expect(qc.getQueryData(messageKeys.list('31'))).toBeUndefined();
    expect(qc.getQueryData(messageKeys.list('30'))).toBeDefined();
  });

  it('says when a voice channel permissions moved (a call then joins again with them)', () => {
    const { qc } = setUp();
    qc.setQueryData(serverKeys.list, [{ ...servers()[0]!, channels: [channel('30', '1024', 'voice')] }]);
    expect(applyServerView(qc, { serverId: '22', sequence: 7, channels: [channel('30', '1024', 'voice')] }).voice).toBe(false);
    expect(applyServerView(qc, { serverId: '22', sequence: 8, channels: [channel('30', '3072', 'voice')] }).voice).toBe(true);
  });

  it('role and own-member events no longer ask for a fresh Ready', () => {
    const { qc, loads } = setUp();
    qc.setQueryData(serverKeys.list, servers());
    let fresh = 0;
    const hooks = { myId: () => '1', needFreshReady: () => fresh++, loads };
    const serverEvent = (type: string, data: unknown): GatewayEvent => ({ ...ev(type, data), scope: 'server', scopeId: '22' });
    applyEvent(qc, serverEvent('RoleUpdated', { id: '50', serverId: '22', name: 'Staff' }), hooks);
    applyEvent(qc, serverEvent('RoleDeleted', { id: '50', serverId: '22' }), hooks);
    applyEvent(qc, serverEvent('MemberUpdated', { serverId: '22', userId: '1', roles: [] }), hooks);
    applyEvent(qc, serverEvent('ChannelUpdated', { ...channel('33', '0'), serverId: '22' }), hooks);
    expect(fresh).toBe(0);
    // Joining a server still does: Ready alone lists its channels.
    applyEvent(qc, { ...ev('ServerJoined', { id: '24', name: 'New', iconUrl: null, ownerId: '9' }), scope: 'user', scopeId: '1' }, hooks);
    expect(fresh).toBe(1);
  });
});

describe('voice states arriving out of order', () => {
  const state = (callId: string, channelId: string | null): VoiceState => ({
    userId: '7',
    channelId,
    serverId: '20',
    selfMute: false,
    selfDeaf: false,
    video: false,
    stream: false,
    callId,
    mute: false,
    deaf: false,
  });
  const apply = (states: VoiceStates, ended: EndedCalls, v: VoiceState) => applyVoiceState(states, ended, v) ?? states;

  it('keeps a member whose rejoin overtook the leave of their ended call', () => {
    const ended: EndedCalls = new Map();
    let states = apply({}, ended, state('100', '30'));
    // The server ended call 100 and the client joined again at once (call 101): 101's join arrives first.
    states = apply(states, ended, state('101', '30'));
    expect(applyVoiceState(states, ended, state('100', null))).toBeNull();
    expect(states['7']?.callId).toBe('101');
  });

  it('removes a member on the leave of their current call, and a late update of it brings nobody back', () => {
    const ended: EndedCalls = new Map();
    let states = apply({}, ended, state('100', '30'));
    states = apply(states, ended, state('100', null));
    expect(states['7']).toBeUndefined();
    expect(applyVoiceState(states, ended, { ...state('100', '30'), selfMute: true })).toBeNull();
    // Their next call shows.
    expect(apply(states, ended, state('101', '30'))['7']?.channelId).toBe('30');
  });

  it('takes the leave of a call it never saw join (missed, or before Ready), and an older update does not undo it', () => {
    const ended: EndedCalls = new Map();
    const states = apply({ '7': state('100', '30') }, ended, state('9007199254740993', null));
    expect(states['7']).toBeUndefined();
    expect(applyVoiceState(states, ended, state('9007199254740992', '30'))).toBeNull();
  });

  it('applies the states of a node older than call ids (during an upgrade) as they come', () => {
    const ended: EndedCalls = new Map();
    const old = (channelId: string | null) => ({ ...state('', channelId), callId: undefined as unknown as string });
    let states = apply({}, ended, old('30'));
    states = apply(states, ended, old(null));
    expect(states['7']).toBeUndefined();
    expect(apply(states, ended, old('31'))['7']?.channelId).toBe('31');
    // An entry written by such a node and read by a newer one names call 0: as unknown.
    expect(apply(apply(states, ended, state('0', null)), ended, state('0', '32'))['7']?.channelId).toBe('32');
  });
});
