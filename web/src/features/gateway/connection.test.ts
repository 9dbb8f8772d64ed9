import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { aMessage } from '../../test/messages';
import { messageKeys } from '../messages/queries';
import { GatewayClient } from './connection';
import { gatewayKeys } from './context';
import type { MessagePage } from './messageStore';
import type { GatewayEvent, ReadyPayload } from './protocol';

vi.mock('../../api/client', () => ({
  api: {},
  renewTokens: vi.fn(),
  tokenStore: { get: () => null },
  unwrap: vi.fn(),
}));

const message = (id: string, sequence: number, nonce: string | null = null) =>
  aMessage({ id, channelId: '10', content: `m${id}`, nonce, sequence });
const created = (seq: number, id = String(100 + seq)): GatewayEvent => ({
  id: `e${seq}`,
  type: 'MessageCreated',
  scope: 'channel',
  scopeId: '10',
  sequence: seq,
  data: JSON.stringify(message(id, seq)),
});

/** A Ready for user 1 with nothing in it; `changes` fills in what a test needs. */
const ready = (changes: Partial<ReadyPayload> = {}): ReadyPayload => ({
  user: { id: '1' } as ReadyPayload['user'],
  servers: [],
  directChannels: [],
  readStates: [],
  presences: [],
  voiceStates: [],
  calls: [],
  cursors: { channels: {}, servers: {}, user: 3 },
  sessionId: 's',
  nodeId: 0,
  status: 'online',
  ...changes,
});

function setUp() {
  const qc = new QueryClient({ defaultOptions: { queries: { gcTime: Infinity } } });
  const client = new GatewayClient(qc);
  const invoke = vi.fn();
  // A connected hub, as far as the client can tell.
  Object.assign(client as unknown as { connection: unknown }, { connection: { state: 'Connected', invoke } });
  const internals = client as unknown as { onReady(r: ReadyPayload): void; onEvents(e: GatewayEvent[]): void };
  internals.onReady(ready({ cursors: { channels: { '10': 5 }, servers: {}, user: 3 }, status: 'dnd' }));
  qc.setQueryData<MessagePage>(messageKeys.list('10'), { messages: [], hasMore: false });
  const ids = () => qc.getQueryData<MessagePage>(messageKeys.list('10'))!.messages.map((m) => m.id);
  return { qc, client, invoke, internals, events: (e: GatewayEvent[]) => internals.onEvents(e), ids };
}

describe('GatewayClient', () => {
  it('applies the next events and drops repeats', () => {
    const { events, ids, invoke } = setUp();
    events([created(6), created(7), created(7), created(5)]);
    expect(ids()).toEqual(['106', '107']);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('asks Resume with its cursors on a gap, and applies what Resume returns in order', async () => {
    vi.useFakeTimers();
    const { events, ids, invoke } = setUp();
    invoke.mockResolvedValue({ events: [created(8), created(6), created(7)], refetch: [] });
    events([created(8)]);
    expect(ids()).toEqual([]);
    await vi.runAllTimersAsync();
    expect(invoke).toHaveBeenCalledWith('Resume', { channels: { '10': 5 }, servers: {}, user: 3 });
    expect(ids()).toEqual(['106', '107', '108']);
    vi.useRealTimers();
  });

  it('reloads a channel that Resume says is too far behind', async () => {
    vi.useFakeTimers();
    const { qc, events, invoke } = setUp();
    const invalidate = vi.spyOn(qc, 'invalidateQueries');
    invoke.mockResolvedValue({ events: [], refetch: [{ scope: 'channel', scopeId: '10' }] });
    events([created(50)]);
    await vi.runAllTimersAsync();
    expect(invalidate).toHaveBeenCalledWith({ queryKey: messageKeys.list('10') });
    vi.useRealTimers();
  });

  it('tries a rate-limited Resume again after the time the server names', async () => {
    vi.useFakeTimers();
    const { events, ids, invoke } = setUp();
    invoke.mockRejectedValueOnce(
      new Error(
        "An unexpected error occurred invoking 'Resume' on the server. HubException: rate_limited: Resume is limited per account; retry in 2 s.",
      ),
    );
    invoke.mockResolvedValue({ events: [created(6), created(7)], refetch: [] });
    events([created(7)]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(ids()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1500);
    expect(invoke).toHaveBeenCalledTimes(2);
    expect(ids()).toEqual(['106', '107']);
    vi.useRealTimers();
  });

  it('tells listeners each applied event once, in order', () => {
    const { client, events } = setUp();
    const heard: number[] = [];
    const stop = client.onEvent((event) => heard.push(event.sequence));
    events([created(7), created(6), created(6), created(7)]);
    stop();
    events([created(8)]);
    expect(heard).toEqual([6, 7]);
  });

  it('takes the chosen status from Ready, and sets a new one through the hub', async () => {
    const { client, invoke } = setUp();
    expect(client.getChosenStatus()).toBe('dnd');
    invoke.mockResolvedValue(undefined);
    expect(await client.setPresence('idle')).toBe(true);
    expect(invoke).toHaveBeenCalledWith('SetPresence', 'idle');
    expect(client.getChosenStatus()).toBe('idle');
  });

  it('sets a status asked for while reconnecting once the next Ready has come', async () => {
    vi.useFakeTimers();
    const { client, invoke, internals } = setUp();
    const connection = (client as unknown as { connection: { state: string } }).connection;
    connection.state = 'Reconnecting';
    expect(await client.setPresence('invisible')).toBe(false);
    expect(invoke).not.toHaveBeenCalled();

    connection.state = 'Connected';
    invoke.mockResolvedValue(undefined);
    internals.onReady(ready());
    await vi.runAllTimersAsync();
    expect(invoke).toHaveBeenCalledWith('SetPresence', 'invisible');
    expect(client.getChosenStatus()).toBe('invisible');
    vi.useRealTimers();
  });

  it('says when our person is away, and says it again on the next connection, which starts active', async () => {
    vi.useFakeTimers();
    const { client, invoke, internals } = setUp();
    invoke.mockResolvedValue(undefined);
    client.setAway(true);
    client.setAway(true);
    expect(invoke.mock.calls.filter(([method]) => method === 'SetAway')).toEqual([['SetAway', true]]);
    expect(client.getAway()).toBe(true);

    invoke.mockClear();
    internals.onReady(ready({ sessionId: 's2' }));
    await vi.runAllTimersAsync();
    expect(invoke).toHaveBeenCalledWith('SetAway', true);

    client.setAway(false);
    expect(invoke).toHaveBeenLastCalledWith('SetAway', false);
    vi.useRealTimers();
  });
  it('watches the member list, stores what it answers, watches again on the next connection and stops when asked', async () => {
    vi.useFakeTimers();
    const { qc, client, invoke, internals } = setUp();
    invoke.mockResolvedValue([{ userId: '7', status: 'dnd' }]);
    await client.watchPresences('1', ['7']);
    expect(invoke).toHaveBeenCalledWith('WatchPresences', '1', ['7']);
    expect(qc.getQueryData(gatewayKeys.presences)).toEqual({ '7': 'dnd' });

    invoke.mockClear();
    invoke.mockResolvedValue([{ userId: '7', status: 'idle' }]);
    internals.onReady(ready({ sessionId: 's2' }));
    await vi.runAllTimersAsync();
    expect(invoke).toHaveBeenCalledWith('WatchPresences', '1', ['7']);
    expect(qc.getQueryData(gatewayKeys.presences)).toEqual({ '7': 'idle' });

    invoke.mockClear();
    client.unwatchPresences('2');
    expect(invoke).not.toHaveBeenCalled();
    client.unwatchPresences('1');
    expect(invoke).toHaveBeenCalledWith('WatchPresences', '1', []);
    invoke.mockClear();
    internals.onReady(ready({ sessionId: 's3' }));
    await vi.runAllTimersAsync();
    expect(invoke).not.toHaveBeenCalledWith('WatchPresences', expect.anything(), expect.anything());
    vi.useRealTimers();
  });
});
