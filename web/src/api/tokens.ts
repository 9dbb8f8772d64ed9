/**
 * The signed-in session's tokens. Where they are kept between visits is a TokenStorage: localStorage by default
 * (config.ts), so a reload or a new tab stays signed in; a host such as the desktop app can keep them in the OS
 * keyring instead, behind the same interface.
 *
 * Trade-off of the default: anything that runs script on this origin (an XSS bug) could read them. An httpOnly
 * cookie would hide the refresh token from script, but the API is bearer-token based today. We limit the risk
 * instead: no raw HTML injection anywhere in the client, a strict CSP from the server (script-src 'self'),
 * 15-minute access tokens, and rotating refresh tokens whose reuse revokes the whole session.
 */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
  userId: string;
}

/**
 * Where tokens are kept. `load` may answer at once (localStorage: every read then sees what other tabs wrote,
 * without waiting for their "storage" event) or with a promise (an OS keyring behind an asynchronous bridge): the
 * store then keeps a copy in memory, loads once at start-up and again whenever `subscribe` reports a change.
 */
export interface TokenStorage {
  load(): StoredTokens | null | Promise<StoredTokens | null>;
  /** Keeps the tokens, or forgets them (null). The store calls it in order and does not wait for it. */
  save(tokens: StoredTokens | null): void | Promise<void>;
  /** Reports changes made elsewhere (another tab, another window of the host). Returns an unsubscribe function. */
  subscribe?(onChange: () => void): () => void;
}

export interface TokenStore {
  get(): StoredTokens | null;
  set(tokens: StoredTokens): void;
  clear(): void;
  /** Called on every change, including changes made by other tabs. Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Settles once the stored tokens have been read (at once for a synchronous storage). */
  readonly ready: Promise<void>;
}

export const TOKEN_KEY = 'kamachat.auth';

/** The tokens in an object read from storage, or null when anything is missing or of the wrong type. */
export function parseTokens(value: unknown): StoredTokens | null {
  const v = value as Partial<StoredTokens> | null;
  if (
    v &&
    typeof v.accessToken === 'string' &&
    typeof v.refreshToken === 'string' &&
    typeof v.sessionId === 'string' &&
    typeof v.userId === 'string'
  ) {
    return { accessToken: v.accessToken, refreshToken: v.refreshToken, sessionId: v.sessionId, userId: v.userId };
  }
  return null;
}

/** The browser's default: one JSON entry in a Storage (localStorage), shared by the origin's tabs. */
export function localStorageTokens(
  storage: Storage,
  key = TOKEN_KEY,
  events: Pick<Window, 'addEventListener' | 'removeEventListener'> | null = null,
): TokenStorage {
  return {
    load() {
      try {
        const raw = storage.getItem(key);
        return raw ? parseTokens(JSON.parse(raw)) : null;
      } catch {
        // A corrupt entry, or storage the browser blocks, is the same as none.
        return null;
      }
    },
    save(tokens) {
      if (tokens) storage.setItem(key, JSON.stringify(tokens));
      else storage.removeItem(key);
    },
    subscribe(onChange) {
      if (!events) return () => {};
      const onStorage = (event: Event) => {
        const changed = (event as StorageEvent).key;
        if (changed === key || changed === null) onChange();
      };
      events.addEventListener('storage', onStorage);
      return () => events.removeEventListener('storage', onStorage);
    },
  };
}

const same = (a: StoredTokens | null, b: StoredTokens | null) =>
  a === b ||
  (!!a &&
    !!b &&
    a.accessToken === b.accessToken &&
    a.refreshToken === b.refreshToken &&
    a.sessionId === b.sessionId &&
    a.userId === b.userId);

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T> | null)?.then === 'function';

export function createTokenStore(storage: TokenStorage): TokenStore {
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  // get() returns the same object until the value changes (useSyncExternalStore needs that).
  let current: StoredTokens | null = null;
  const remember = (next: StoredTokens | null) => {
    if (same(current, next)) return false;
    current = next;
    return true;
  };

  const first = storage.load();
  const synchronous = !isPromise(first);
  let ready: Promise<void>;
  // Asynchronous storage: writes go out one after the other, and a load that started before our last write is stale.
  let writes: Promise<void> = Promise.resolve();
  let version = 0;
  const save = (tokens: StoredTokens | null) => {
    if (synchronous) {
      void storage.save(tokens);
      return;
    }
    writes = writes
      .then(() => storage.save(tokens))
      .catch((error: unknown) => {
        console.error('KamaChat could not save the session tokens', error);
      });
  };
  const reload = async () => {
    const started = version;
    let loaded: StoredTokens | null;
    try {
      loaded = await storage.load();
    } catch (error) {
      console.error('KamaChat could not read the session tokens', error);
      return;
    }
    if (started === version && remember(loaded)) notify();
  };

  if (isPromise(first)) {
    ready = first.then(
      (loaded) => {
        if (version === 0 && remember(loaded)) notify();
      },
      (error: unknown) => console.error('KamaChat could not read the session tokens', error),
    );
  } else {
    current = first;
    ready = Promise.resolve();
  }
  storage.subscribe?.(() => (synchronous ? notify() : void reload()));

  const get = () => {
    if (synchronous) remember(storage.load() as StoredTokens | null);
    return current;
  };

  return {
    get,
    set(tokens) {
      version++;
      save(tokens);
      remember(tokens);
      notify();
    },
    clear() {
      const had = get() !== null;
      version++;
      save(null);
      remember(null);
      if (had) notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready,
  };
}
