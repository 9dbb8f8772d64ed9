import type { AuthTokens } from './types';
import { defaultCoordinator, type RefreshCoordinator } from './refreshCoordinator';
import type { StoredTokens, TokenStore } from './tokens';

export const REFRESH_PATH = '/api/v1/auth/refresh';

export function toStoredTokens(tokens: AuthTokens): StoredTokens {
  return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, sessionId: tokens.sessionId, userId: tokens.user.id };
}

interface AuthFetchOptions {
  store: TokenStore;
  /** The server's base URL, for the refresh call. */
  baseUrl?: string;
  /** The real fetch (injected for tests). */
  fetch?: (request: Request) => Promise<Response>;
  /** Called once when the session is over (refresh refused, session revoked): the app goes to /login. */
  onSignedOut?: () => void;
  /** How tabs take turns refreshing (injected for tests). Defaults to the Web Locks API. */
  coordinator?: RefreshCoordinator;
  /** How long to wait for another tab's new tokens to reach this one. */
  handoverTimeoutMs?: number;
}

/** Resolves with the stored tokens once their refresh token is no longer `spent`, or null after the timeout. */
function waitForNewTokens(store: TokenStore, spent: string, timeoutMs: number): Promise<StoredTokens | null> {
  return new Promise((resolve) => {
    const started = Date.now();
    const check = () => {
      const tokens = store.get();
      if (!tokens) return resolve(null);
      if (tokens.refreshToken !== spent) return resolve(tokens);
      if (Date.now() - started >= timeoutMs) return resolve(null);
      setTimeout(check, 25);
    };
    check();
  });
}

async function problemCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { code?: unknown };
    return typeof body.code === 'string' ? body.code : undefined;
  } catch {
    return undefined;
  }
}

/** 401 codes after which the session cannot continue; refreshing would not help. */
const SESSION_OVER = new Set(['session_revoked', 'invalid_token', 'refresh_token_reused', 'invalid_refresh_token']);

/**
 * A fetch that sends the access token and, when the server says it expired, refreshes once and retries.
 *
 * Refresh is single-flight: refresh tokens rotate, and presenting one twice revokes the session, so all
 * requests that fail together wait on one refresh call, and tabs coordinate (refreshCoordinator.ts). A request
 * that fails after someone else already rotated the pair (this tab or another one, through the shared token storage)
 * just retries with the newer token.
 */
export function createAuthFetch({
  store,
  baseUrl = 'http://localhost',
  fetch: send = (request) => fetch(request),
  onSignedOut = () => {},
  coordinator = defaultCoordinator(),
  handoverTimeoutMs = 5_000,
}: AuthFetchOptions) {
  let inflight: Promise<StoredTokens | null> | null = null;

  const signOut = () => {
    if (store.get() === null) return;
    store.clear();
    onSignedOut();
  };

  async function callRefresh(current: StoredTokens): Promise<StoredTokens | null> {
    let response: Response;
    try {
      response = await send(
        new Request(`${baseUrl}${REFRESH_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ refreshToken: current.refreshToken }),
        }),
      );
    } catch {
      // Offline: keep the tokens (the refresh may work later); the caller sees the original 401.
      return null;
    }
    if (response.ok) {
      const next = toStoredTokens((await response.json()) as AuthTokens);
      // Signed out (or switched account) while the refresh was in flight: do not resurrect the old session.
      if (store.get()?.refreshToken === current.refreshToken) store.set(next);
      return next;
    }
    if (response.status === 400 || response.status === 401) signOut();
    return null;
  }

  /** The new token pair after one shared refresh, or null when the session could not be renewed. */
  function refresh(usedAccessToken: string): Promise<StoredTokens | null> {
    if (!inflight) {
      inflight = coordinator
        .exclusive(async () => {
          // Read inside the lock: another tab may have rotated the pair while we waited for it.
          const current = store.get();
          if (!current) return null;
          if (current.accessToken !== usedAccessToken) return current;
          // Another tab traded this very token, and its new pair has not reached our storage yet.
          if (await coordinator.isSpent(current.refreshToken)) {
            return waitForNewTokens(store, current.refreshToken, handoverTimeoutMs);
          }
          const next = await callRefresh(current);
          if (next) await coordinator.markSpent(current.refreshToken);
          return next;
        })
        .finally(() => {
          inflight = null;
        });
    }
    return inflight;
  }

  const withToken = (request: Request, token: string | undefined) => {
    const copy = new Request(request);
    if (token) copy.headers.set('authorization', `Bearer ${token}`);
    return copy;
  };

  async function authFetch(request: Request): Promise<Response> {
    const tokens = store.get();
    // Keep an unread copy: the body of the first attempt is consumed by sending it.
    const retry = request.clone();
    const response = await send(withToken(request, tokens?.accessToken));
    if (response.status !== 401 || !tokens) return response;

    const code = await problemCode(response);
    if (code === 'token_expired') {
      const next = await refresh(tokens.accessToken);
      return next ? send(withToken(retry, next.accessToken)) : response;
    }
    if (code && SESSION_OVER.has(code) && store.get()?.accessToken === tokens.accessToken) signOut();
    return response;
  }

  /** Renews the pair now (the gateway does this when its token has expired, before the server says so). */
  const renew = () => {
    const tokens = store.get();
    return tokens ? refresh(tokens.accessToken) : Promise.resolve(null);
  };
  return Object.assign(authFetch, { renew });
}
