import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { ChannelSendQueue, type QueuedState } from './sendQueue';

interface Item {
  nonce: string;
}

/** A queue whose sends the test answers one by one, recording what the queue did. */
function harness() {
  const calls: { nonce: string; resolve: (v: string) => void; reject: (e: unknown) => void }[] = [];
  const states: Record<string, QueuedState> = {};
  const sent: string[] = [];
  const waits: number[] = [];
  const queue = new ChannelSendQueue<Item, string>({
    send: (item) => new Promise<string>((resolve, reject) => calls.push({ nonce: item.nonce, resolve, reject })),
    onState: (item, state) => {
      states[item.nonce] = state;
    },
    onSent: (item, result) => sent.push(`${item.nonce}:${result}`),
    wait: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { queue, calls, states, sent, waits, settle };
}

describe('a channel send queue', () => {
  it('sends one message at a time, in the order written', async () => {
    const { queue, calls, sent, settle } = harness();
    queue.enqueue({ nonce: 'a' });
    queue.enqueue({ nonce: 'b' });
    queue.enqueue({ nonce: 'c' });
    await settle();
    expect(calls.map((c) => c.nonce)).toEqual(['a']);

    calls[0]!.resolve('1');
    await settle();
    expect(calls.map((c) => c.nonce)).toEqual(['a', 'b']);
    calls[1]!.resolve('2');
    await settle();
    calls[2]!.resolve('3');
    await settle();
    expect(sent).toEqual(['a:1', 'b:2', 'c:3']);
    expect(queue.nonces).toEqual([]);
  });

  it('holds the messages after a refused one until it is retried, then sends them in order', async () => {
    const { queue, calls, states, sent, settle } = harness();
    queue.enqueue({ nonce: 'a' });
    queue.enqueue({ nonce: 'b' });
    calls[0]!.reject(ApiError.network());
    await settle();
    queue.enqueue({ nonce: 'c' });
    await settle();
    expect(states).toEqual({ a: 'failed', b: 'held', c: 'held' });
    expect(calls).toHaveLength(1);

    queue.retry('b'); // not the refused one: nothing happens
    await settle();
    expect(calls).toHaveLength(1);

    queue.retry('a');
    await settle();
    expect(states).toEqual({ a: 'pending', b: 'pending', c: 'pending' });
    expect(calls.map((c) => c.nonce)).toEqual(['a', 'a']);
    calls[1]!.resolve('1');
    await settle();
    calls[2]!.resolve('2');
    await settle();
    calls[3]!.resolve('3');
    await settle();
    expect(sent).toEqual(['a:1', 'b:2', 'c:3']);
  });

  it('lets the rest go when the refused message is discarded, and never sends it', async () => {
    const { queue, calls, sent, settle } = harness();
    queue.enqueue({ nonce: 'a' });
    queue.enqueue({ nonce: 'b' });
    calls[0]!.reject(new ApiError({ status: 403, code: 'missing_permission', message: 'no' }));
    await settle();
    expect(queue.discard('a')).toBe(true);
    await settle();
    expect(calls.map((c) => c.nonce)).toEqual(['a', 'b']);
    calls[1]!.resolve('2');
    await settle();
    expect(sent).toEqual(['b:2']);
  });

  it('does not drop the message on its way, but drops a held one', async () => {
    const { queue, calls, settle } = harness();
    queue.enqueue({ nonce: 'a' });
    queue.enqueue({ nonce: 'b' });
    await settle();
    expect(queue.discard('a')).toBe(false);
    expect(queue.discard('b')).toBe(true);
    expect(queue.nonces).toEqual(['a']);
    calls[0]!.resolve('1');
    await settle();
    expect(calls).toHaveLength(1);
  });

  it('waits as long as the server asks when rate limited, then sends the same message again', async () => {
    const { queue, calls, states, sent, waits, settle } = harness();
    queue.enqueue({ nonce: 'a' });
    calls[0]!.reject(new ApiError({ status: 429, code: 'rate_limited', message: 'slow down', retryAfterSeconds: 3 }));
    await settle();
    expect(waits).toEqual([3000]);
    expect(states.a).toBe('pending');
    calls[1]!.resolve('1');
    await settle();
    expect(sent).toEqual(['a:1']);
  });

  it('counts a refused message as sent once its copy arrives another way', async () => {
    const { queue, calls, states, settle } = harness();
    queue.enqueue({ nonce: 'a' });
    queue.enqueue({ nonce: 'b' });
    calls[0]!.reject(ApiError.network());
    await settle();
    queue.confirmed('a');
    await settle();
    expect(states.b).toBe('pending');
    expect(calls.map((c) => c.nonce)).toEqual(['a', 'b']);
  });
});
