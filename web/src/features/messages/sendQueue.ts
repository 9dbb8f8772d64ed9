import { ApiError } from '../../api/errors';

/** Where a queued message stands: on its way (or next), refused, or waiting behind a refused one. */
export type QueuedState = 'pending' | 'failed' | 'held';

export interface Queued {
  nonce: string;
}

export interface SendQueueHooks<T extends Queued, R> {
  /** Sends one message; resolves with the server's copy. */
  send: (item: T) => Promise<R>;
  /** The item's state changed (shown on its row); a refused one comes with what refused it. */
  onState: (item: T, state: QueuedState, error?: unknown) => void;
  /** The server took it: the item leaves the queue. */
  onSent: (item: T, result: R) => void;
  /** Waits before the automatic retry of a rate-limited send (a test passes a clock of its own). */
  wait?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One channel's outgoing messages, sent one at a time in the order they were written: the next goes once the
 * server has answered the one before, so the server numbers them in that order too (sent all at once, a stalled
 * server could take them in any order). A refused send holds the ones after it until it is retried or discarded;
 * a rate-limited one waits as long as the server asks and goes again by itself.
 */
export class ChannelSendQueue<T extends Queued, R> {
  private readonly items: T[] = [];
  private sending = false;
  private blocked = false;

  constructor(private readonly hooks: SendQueueHooks<T, R>) {}

  /** Nonces in the queue, head first. */
  get nonces(): string[] {
    return this.items.map((i) => i.nonce);
  }

  enqueue(item: T) {
    this.items.push(item);
    this.hooks.onState(item, this.blocked ? 'held' : 'pending');
    void this.pump();
  }

  /** Sends a refused message again (with its nonce, so a send that did arrive is not doubled), then the rest. */
  retry(nonce: string) {
    if (!this.blocked || this.items[0]?.nonce !== nonce) return;
    this.unblock();
  }

  /** Drops a message unless it is on its way (then false); a refused head lets the rest go. */
  discard(nonce: string): boolean {
    const index = this.items.findIndex((i) => i.nonce === nonce);
    if (index < 0) return true;
    if (index === 0 && this.sending) return false;
    this.items.splice(index, 1);
    if (index === 0 && this.blocked) this.unblock();
    return true;
  }

  /** The server's copy arrived another way (its event, after an answer that was lost): it counts as sent. */
  confirmed(nonce: string) {
    if (this.sending || this.items[0]?.nonce !== nonce) return;
    this.items.shift();
    if (this.blocked) this.unblock();
  }

  private unblock() {
    this.blocked = false;
    for (const item of this.items) this.hooks.onState(item, 'pending');
    void this.pump();
  }

  private async pump() {
    if (this.sending || this.blocked) return;
    const head = this.items[0];
    if (!head) return;
    this.sending = true;
    try {
      for (;;) {
        try {
          const result = await this.hooks.send(head);
          this.items.shift();
          this.hooks.onSent(head, result);
          break;
        } catch (error) {
          if (error instanceof ApiError && error.code === 'rate_limited') {
            await (this.hooks.wait ?? sleep)(1000 * Math.max(1, error.retryAfterSeconds ?? 1));
            continue;
          }
          this.blocked = true;
          this.hooks.onState(head, 'failed', error);
          for (const item of this.items.slice(1)) this.hooks.onState(item, 'held');
          break;
        }
      }
    } finally {
      this.sending = false;
    }
    void this.pump();
  }
}
