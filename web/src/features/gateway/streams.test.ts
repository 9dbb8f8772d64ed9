import { describe, expect, it } from 'vitest';
import type { GatewayEvent } from './protocol';
import { deliver, StreamTracker } from './streams';

const ev = (sequence: number, scopeId = '10', scope: GatewayEvent['scope'] = 'channel'): GatewayEvent => ({
  id: `${scope}${scopeId}-${sequence}`,
  type: 'MessageCreated',
  scope,
  scopeId,
  sequence,
  data: '{}',
});

function tracker() {
  const t = new StreamTracker();
  t.seed({ channels: { '10': 5 }, servers: { '1': 2 }, user: 7 });
  return t;
}

describe('StreamTracker', () => {
  it('applies events in order, one after the other', () => {
    const t = tracker();
    const applied: number[] = [];
    const result = deliver(t, [ev(6), ev(7), ev(8)], (e) => applied.push(e.sequence));
    expect(applied).toEqual([6, 7, 8]);
    expect(result.gap).toBe(false);
    expect(t.get('channel:10')).toBe(8);
  });

  it('drops an event at or below the last applied sequence', () => {
    const t = tracker();
    const applied: number[] = [];
    const result = deliver(t, [ev(6), ev(6), ev(4), ev(5)], (e) => applied.push(e.sequence));
    expect(applied).toEqual([6]);
    expect(result.dropped).toBe(3);
  });

  it('reports a gap and does not apply past it', () => {
    const t = tracker();
    const applied: number[] = [];
    const result = deliver(t, [ev(8)], (e) => applied.push(e.sequence));
    expect(result.gap).toBe(true);
    expect(applied).toEqual([]);
    expect(t.get('channel:10')).toBe(5);
  });

  it('fills a gap from the events Resume returns, even out of order', () => {
    const t = tracker();
    const applied: number[] = [];
    deliver(t, [ev(8), ev(6), ev(7)], (e) => applied.push(e.sequence));
    expect(applied).toEqual([6, 7, 8]);
  });

  it('keeps streams apart', () => {
    const t = tracker();
    const applied: string[] = [];
    deliver(t, [ev(3, '1', 'server'), ev(8, '0', 'user'), ev(6)], (e) => applied.push(e.id));
    expect(applied).toEqual(['server1-3', 'user0-8', 'channel10-6']);
    expect(t.toResume()).toEqual({ channels: { '10': 6 }, servers: { '1': 3 }, user: 8 });
  });

  it('keeps its own cursors on a reconnect and takes only new streams from Ready', () => {
    const t = tracker();
    deliver(t, [ev(6)], () => {});
    t.seed({ channels: { '10': 9, '11': 4 }, user: 20 }, true);
    expect(t.get('channel:10')).toBe(6);
    expect(t.get('channel:11')).toBe(4);
    expect(t.get('user')).toBe(7);
  });

  it('starts a stream it did not know at its first event', () => {
    const t = tracker();
    expect(t.classify(ev(40, '99'))).toBe('apply');
  });

  it('splits the Resume arguments into calls of at most the allowed number of streams', () => {
    const t = new StreamTracker();
    t.seed({
      channels: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`c${i}`, i])),
      servers: { s1: 1, s2: 2 },
      user: 4,
    });
    const batches = t.toResumeBatches(4);
    expect(batches.map((b) => Object.keys(b.channels!).length + Object.keys(b.servers!).length + (b.user === null ? 0 : 1))).toEqual([
      4, 4, 2,
    ]);
    expect(batches.map((b) => b.user)).toEqual([4, null, null]);
    expect(Object.assign({}, ...batches.map((b) => b.channels))).toEqual(t.toResume().channels);
    expect(Object.assign({}, ...batches.map((b) => b.servers))).toEqual({ s1: 1, s2: 2 });
  });
});
