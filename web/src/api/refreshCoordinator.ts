/**
 * Keeps tabs from trading the same refresh token twice (the server would revoke the session).
 *
 * Tabs share the tokens through localStorage, but Chromium propagates a localStorage write to other tabs
 * asynchronously: a tab that takes its turn right after another refreshed may still read the old, already
 * traded token. So besides taking turns (a Web Lock), a tab that traded a token says so through a second,
 * token-named lock that it holds for a while; lock state is kept by the browser and is the same for every
 * tab at once. A tab that sees the mark waits for the new pair to arrive instead of refreshing.
 */
export interface RefreshCoordinator {
  /** Runs the task while no other tab runs one. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Records, visibly to every tab at once, that this refresh token was traded. */
  markSpent(refreshToken: string): Promise<void>;
  isSpent(refreshToken: string): Promise<boolean>;
}

const TURN_LOCK = 'kamachat.auth.refresh';
/** Long enough for localStorage to reach every tab. */
const SPENT_MARK_MS = 60_000;

/** A short fingerprint, so lock names (visible to the origin's scripts) never hold the token itself. */
export function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16);
}

const spentName = (token: string) => `kamachat.auth.spent.${fingerprint(token)}`;

export function webLocksCoordinator(locks: LockManager): RefreshCoordinator {
  return {
    exclusive: <T>(task: () => Promise<T>) => locks.request(TURN_LOCK, task) as unknown as Promise<T>,
    markSpent: (refreshToken) =>
      new Promise<void>((granted) => {
        void locks.request(spentName(refreshToken), () => {
          granted();
          return new Promise((release) => setTimeout(release, SPENT_MARK_MS));
        });
      }),
    async isSpent(refreshToken) {
      const { held = [] } = await locks.query();
      return held.some((lock) => lock.name === spentName(refreshToken));
    },
  };
}

/** One tab only (no Web Locks, or tests): the single-flight refresh inside the tab is enough. */
export function localCoordinator(): RefreshCoordinator {
  const spent = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  return {
    exclusive<T>(task: () => Promise<T>) {
      const run = queue.then(task);
      queue = run.catch(() => undefined);
      return run;
    },
    markSpent: async (refreshToken) => void spent.add(refreshToken),
    isSpent: async (refreshToken) => spent.has(refreshToken),
  };
}

export function defaultCoordinator(): RefreshCoordinator {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? webLocksCoordinator(locks) : localCoordinator();
}
