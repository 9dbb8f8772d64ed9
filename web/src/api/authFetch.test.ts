import { describe, expect, it, vi } from 'vitest';
import { memoryStorage } from '../test/memoryStorage';
import { createAuthFetch, REFRESH_PATH } from './authFetch';
import { fingerprint, localCoordinator } from './refreshCoordinator';
import { createTokenStore, localStorageTokens, type StoredTokens } from './tokens';

const problem = (status: number, code: string) =>
  new Response(JSON.stringify({ status, code, detail: code }), { status, headers: { 'content-type': 'application/problem+json' } });
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const initial: StoredTokens = { accessToken: 'access-1', refreshToken: 'refresh-1-0123456789', sessionId: '11', userId: '7' };
const rotated = (n: number) => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}-0123456789`,
  tokenType: 'Bearer',
  expiresIn: 900,
  sessionId: '11',
  user: {
    id: '7',
    username: 'ada',
    email: 'ada@example.com',
    emailVerified: false,
    displayName: null,
    avatarUrl: null,
    bio: null,
    statusText: null,
    createdAt: '2026-01-01T00:00:00Z',
  },
});

/**
 * A fake server: the current access token is valid, any other is expired; each refresh token works once
 * (reusing one revokes the session, as the real server does).
 */
function fakeServer({ refreshDelayMs = 10, refreshStatus = 200 } = {}) {
  let valid = 'access-2';
  let generation = 1;
  const usedRefreshTokens = new Set<string>();
  const refreshBodies: string[] = [];
  const seen: { url: string; auth: string | null; body: string }[] = [];
  const send = vi.fn(async (request: Request) => {
    const url = new URL(request.url).pathname;
    const body = await request.text();
    seen.push({ url, auth: request.headers.get('authorization'), body });
    if (url === REFRESH_PATH) {
      const { refreshToken } = JSON.parse(body) as { refreshToken: string };
      refreshBodies.push(refreshToken);
      await new Promise((resolve) => setTimeout(resolve, refreshDelayMs));
      if (refreshStatus !== 200) return problem(refreshStatus, 'session_revoked');
      if (usedRefreshTokens.has(refreshToken)) return problem(401, 'refresh_token_reused');
      usedRefreshTokens.add(refreshToken);
      generation += 1;
      valid = `access-${generation}`;
      return json(rotated(generation));
    }
    if (request.headers.get('authorization') !== `Bearer ${valid}`) return problem(401, 'token_expired');
    return json({ ok: true, echo: body });
  });
  return { send, refreshBodies, seen };
}

function setup(options?: Parameters<typeof fakeServer>[0]) {
  const server = fakeServer(options);
  const store = createTokenStore(localStorageTokens(memoryStorage()));
  store.set(initial);
  const onSignedOut = vi.fn();
  const authFetch = createAuthFetch({ store, fetch: server.send, onSignedOut });
  return { server, store, onSignedOut, authFetch };
}

const get = (path: string) => new Request(`http://localhost${path}`);

describe('authFetch', () => {
  it('sends the access token', async () => {
    const { server, store, authFetch } = setup();
    store.set({ ...initial, accessToken: 'access-2' });
    const response = await authFetch(get('/api/v1/users/@me'));
    expect(response.status).toBe(200);
    expect(server.seen[0]!.auth).toBe('Bearer access-2');
    expect(server.refreshBodies).toHaveLength(0);
  });

  it('refreshes once for two concurrent requests that both get token_expired, and retries both', async () => {
    const { server, store, authFetch } = setup();
    const [a, b] = await Promise.all([authFetch(get('/api/v1/users/@me')), authFetch(get('/api/v1/auth/sessions'))]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(server.refreshBodies).toEqual(['refresh-1-0123456789']);
    expect(store.get()).toEqual({ accessToken: 'access-2', refreshToken: 'refresh-2-0123456789', sessionId: '11', userId: '7' });
    // Both retries carried the new token.
    const retries = server.seen.filter((s) => s.url !== REFRESH_PATH && s.auth === 'Bearer access-2');
    expect(retries.map((s) => s.url).sort()).toEqual(['/api/v1/auth/sessions', '/api/v1/users/@me']);
  });

  it('does not refresh again when another tab rotated the tokens while the request was in flight', async () => {
    const store = createTokenStore(localStorageTokens(memoryStorage()));
    store.set(initial);
    const refreshed = vi.fn();
    const send = vi.fn(async (request: Request) => {
      if (new URL(request.url).pathname === REFRESH_PATH) {
        refreshed();
        return problem(401, 'refresh_token_reused');
      }
      if (request.headers.get('authorization') === 'Bearer access-1') {
        // Meanwhile another tab refreshed and wrote the new pair to the shared storage.
        store.set({ ...initial, accessToken: 'access-2', refreshToken: 'refresh-2-0123456789' });
        return problem(401, 'token_expired');
      }
      return json({ ok: true });
    });
    const authFetch = createAuthFetch({ store, fetch: send });
    const response = await authFetch(get('/api/v1/users/@me'));
    expect(response.status).toBe(200);
    expect(refreshed).not.toHaveBeenCalled();
    expect(send.mock.calls.at(-1)![0].headers.get('authorization')).toBe('Bearer access-2');
    expect(store.get()?.refreshToken).toBe('refresh-2-0123456789');
  });

  it('two tabs refresh once between them, even when the other tab sees the new tokens late', async () => {
    const server = fakeServer();
    // Each tab has its own view of localStorage; a write reaches the other tab 80 ms later (as in Chromium).
    const views = [memoryStorage(), memoryStorage()] as const;
    const laggy = (own: Storage, other: Storage): Storage => ({
      ...own,
      get length() {
        return own.length;
      },
      getItem: (key) => own.getItem(key),
      setItem(key, value) {
        own.setItem(key, value);
        setTimeout(() => other.setItem(key, value), 80);
      },
      removeItem(key) {
        own.removeItem(key);
        setTimeout(() => other.removeItem(key), 80);
      },
    });
    for (const view of views) view.setItem('kamachat.auth', JSON.stringify(initial));
    const coordinator = localCoordinator(); // shared, as the browser's lock manager is
    const storeA = createTokenStore(localStorageTokens(laggy(views[0], views[1])));
    const storeB = createTokenStore(localStorageTokens(laggy(views[1], views[0])));
    const tabA = createAuthFetch({ store: storeA, fetch: server.send, coordinator });
    const tabB = createAuthFetch({ store: storeB, fetch: server.send, coordinator });
    const [a, b] = await Promise.all([tabA(get('/api/v1/users/@me')), tabB(get('/api/v1/users/@me'))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(server.refreshBodies).toEqual(['refresh-1-0123456789']);
    expect(storeA.get()?.refreshToken).toBe('refresh-2-0123456789');
    expect(storeB.get()?.refreshToken).toBe('refresh-2-0123456789');
  });

  it('replays the request body on the retry', async () => {
    const { server, authFetch } = setup();
    const response = await authFetch(
      new Request('http://localhost/api/v1/users/@me', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ bio: 'hello' }),
      }),
    );
    expect(await response.json()).toEqual({ ok: true, echo: '{"bio":"hello"}' });
    expect(server.refreshBodies).toHaveLength(1);
  });

  it('signs out when the refresh is refused, and returns the original 401', async () => {
    const { store, onSignedOut, authFetch } = setup({ refreshStatus: 401 });
    const [a, b] = await Promise.all([authFetch(get('/api/v1/users/@me')), authFetch(get('/api/v1/auth/sessions'))]);
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(store.get()).toBeNull();
    expect(onSignedOut).toHaveBeenCalledTimes(1);
  });

  it('signs out at once when the session was revoked, without trying to refresh', async () => {
    const store = createTokenStore(localStorageTokens(memoryStorage()));
    store.set(initial);
    const onSignedOut = vi.fn();
    const send = vi.fn(async () => problem(401, 'session_revoked'));
    const authFetch = createAuthFetch({ store, fetch: send, onSignedOut });
    const response = await authFetch(get('/api/v1/users/@me'));
    expect(response.status).toBe(401);
    expect(send).toHaveBeenCalledTimes(1);
    expect(store.get()).toBeNull();
    expect(onSignedOut).toHaveBeenCalledTimes(1);
  });

  it('keeps the tokens when the refresh fails because the network is down', async () => {
    const store = createTokenStore(localStorageTokens(memoryStorage()));
    store.set(initial);
    const onSignedOut = vi.fn();
    const authFetch = createAuthFetch({
      store,
      onSignedOut,
      fetch: async (request) => {
        if (new URL(request.url).pathname === REFRESH_PATH) throw new TypeError('Failed to fetch');
        return problem(401, 'token_expired');
      },
    });
    expect((await authFetch(get('/api/v1/users/@me'))).status).toBe(401);
    expect(store.get()).toEqual(initial);
    expect(onSignedOut).not.toHaveBeenCalled();
  });

  it('passes other responses through untouched and sends no token when signed out', async () => {
    const store = createTokenStore(localStorageTokens(memoryStorage()));
    const send = vi.fn(async (request: Request) => (request.headers.has('authorization') ? json({}) : problem(401, 'unauthorized')));
    const authFetch = createAuthFetch({ store, fetch: send });
    const response = await authFetch(get('/api/v1/users/@me'));
    expect(response.status).toBe(401);
    expect(send).toHaveBeenCalledTimes(1);
  });
});

describe('refresh coordinator', () => {
  it('names locks by a fingerprint, never by the token itself', () => {
    const token = 'refresh-1-0123456789';
    expect(fingerprint(token)).toMatch(/^[0-9a-f]{1,8}$/);
    expect(fingerprint(token)).toBe(fingerprint(token));
    expect(fingerprint(token)).not.toBe(fingerprint('refresh-2-0123456789'));
  });
});
