import type { GatewayEvent, StreamCursorsDto } from './protocol';

/** What to do with an event, per the delivery contract. */
export type Verdict = 'apply' | 'duplicate' | 'gap';

export const streamKey = (scope: string, scopeId: string) => (scope === 'user' ? 'user' : `${scope}:${scopeId}`);

/**
 * The last sequence applied per stream (a channel, a server, or the user). Events apply at last + 1, are
 * dropped at or below last, and a jump ahead is a gap that the caller fills with Resume.
 */
export class StreamTracker {
  private readonly last = new Map<string, number>();

  /** Takes Ready's cursors; with onlyMissing (a reconnect), keeps the streams already tracked. */
  seed(cursors: StreamCursorsDto, onlyMissing = false) {
    const take = (key: string, value: number) => {
      if (!onlyMissing || !this.last.has(key)) this.last.set(key, value);
    };
    for (const [id, seq] of Object.entries(cursors.channels ?? {})) take(streamKey('channel', id), seq);
    for (const [id, seq] of Object.entries(cursors.servers ?? {})) take(streamKey('server', id), seq);
    if (cursors.user != null) take('user', cursors.user);
  }

  get(key: string) {
    return this.last.get(key);
  }

  has(key: string) {
    return this.last.has(key);
  }

  /** A stream we did not know (a channel just made visible) starts at its first event. */
  classify(event: Pick<GatewayEvent, 'scope' | 'scopeId' | 'sequence'>): Verdict {
    const last = this.last.get(streamKey(event.scope, event.scopeId));
    if (last === undefined) return 'apply';
    if (event.sequence <= last) return 'duplicate';
    return event.sequence === last + 1 ? 'apply' : 'gap';
  }

  advance(event: Pick<GatewayEvent, 'scope' | 'scopeId' | 'sequence'>) {
    this.last.set(streamKey(event.scope, event.scopeId), event.sequence);
  }

  forget(scope: string, scopeId: string) {
    this.last.delete(streamKey(scope, scopeId));
  }

  /** The arguments of the hub's Resume, in calls of at most `max` streams each (the user stream goes in the first). */
  toResumeBatches(max: number): Required<StreamCursorsDto>[] {
    const all = this.toResume();
    const entries: ['channels' | 'servers', string, number][] = [
      ...Object.entries(all.channels ?? {}).map(([id, seq]) => ['channels', id, seq] as ['channels', string, number]),
      ...Object.entries(all.servers ?? {}).map(([id, seq]) => ['servers', id, seq] as ['servers', string, number]),
    ];
    const batches: Required<StreamCursorsDto>[] = [];
    let batch: Required<StreamCursorsDto> = { channels: {}, servers: {}, user: all.user };
    let size = all.user === null ? 0 : 1;
    for (const [kind, id, seq] of entries) {
      if (size === max) {
        batches.push(batch);
        batch = { channels: {}, servers: {}, user: null };
        size = 0;
      }
      batch[kind]![id] = seq;
      size++;
    }
    batches.push(batch);
    return batches;
  }

  /** The argument of the hub's Resume. */
  toResume(): Required<StreamCursorsDto> {
    const channels: Record<string, number> = {};
    const servers: Record<string, number> = {};
    let user: number | null = null;
    for (const [key, seq] of this.last) {
      if (key === 'user') user = seq;
      else if (key.startsWith('channel:')) channels[key.slice(8)] = seq;
      else if (key.startsWith('server:')) servers[key.slice(7)] = seq;
    }
    return { channels, servers, user };
  }
}

/**
 * Feeds events through the tracker in order: applies what is next, drops duplicates, and reports whether a gap
 * was seen (the caller then resumes). Events of one stream are taken in sequence order.
 */
export function deliver(
  tracker: StreamTracker,
  events: GatewayEvent[],
  apply: (event: GatewayEvent) => void,
): { applied: number; dropped: number; gap: boolean } {
  let applied = 0;
  let dropped = 0;
  let gap = false;
  const ordered = [...events].sort((a, b) => (a.scope === b.scope && a.scopeId === b.scopeId ? a.sequence - b.sequence : 0));
  for (const event of ordered) {
    const verdict = tracker.classify(event);
    if (verdict === 'apply') {
      tracker.advance(event);
      apply(event);
      applied++;
    } else if (verdict === 'duplicate') {
      dropped++;
    } else {
      gap = true;
    }
  }
  return { applied, dropped, gap };
}
