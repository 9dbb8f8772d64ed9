/**
 * The signed-in session's tokens, kept in localStorage so a reload or a new tab stays signed in.
 *
 * Trade-off: anything that runs script on this origin (an XSS bug) could read them. An httpOnly cookie
 * would hide the refresh token from script, but the API is bearer-token based today. We limit the risk
 * instead: no raw HTML injection anywhere in the client, a strict CSP from the server (script-src 'self'),
 * 15-minute access tokens, and rotating refresh tokens whose reuse revokes the whole session.
 */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
  userId: string;
}

export interface TokenStore {
  get(): StoredTokens | null;
  set(tokens: StoredTokens): void;
  clear(): void;
  /** Called on every change, including changes made by other tabs. Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export const TOKEN_KEY = 'kamachat.auth';

function parse(raw: string | null): StoredTokens | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<StoredTokens> | null;
    if (value && typeof value.accessToken === 'string' && typeof value.refreshToken === 'string'
      && typeof value.sessionId === 'string' && typeof value.userId === 'string') {
      return { accessToken: value.accessToken, refreshToken: value.refreshToken, sessionId: value.sessionId, userId: value.userId };
    }
  } catch {
    // A corrupt entry is the same as none.
  }
  return null;
}

export function createTokenStore(storage: Storage, key = TOKEN_KEY, events: Pick<Window, 'addEventListener' | 'removeEventListener'> | null = null): TokenStore {
  const listeners = new Set<() => void>();
  // Cached so that get() returns the same object until the value changes (useSyncExternalStore needs that).
  let raw: string | null = null;
  let cached: StoredTokens | null = null;

  const read = (): StoredTokens | null => {
    let current: string | null = null;
    try {
      current = storage.getItem(key);
    } catch {
      current = null;
    }
    if (current !== raw) {
      raw = current;
      cached = parse(current);
    }
    return cached;
  };
  const notify = () => listeners.forEach((listener) => listener());

  const onStorage = (event: Event) => {
    if ((event as StorageEvent).key === key || (event as StorageEvent).key === null) notify();
  };

  return {
    get: read,
    set(tokens) {
      storage.setItem(key, JSON.stringify(tokens));
      notify();
    },
    clear() {
      if (read() === null && raw === null) return;
      storage.removeItem(key);
      notify();
    },
    subscribe(listener) {
      if (listeners.size === 0) events?.addEventListener('storage', onStorage);
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) events?.removeEventListener('storage', onStorage);
      };
    },
  };
}
