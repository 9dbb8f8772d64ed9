import { expect, newAccount, test as suite } from '../support/fixtures';
import { startServer } from '../support/server';

/**
 * This spec's own server issues access tokens that live 1 s (+12 s the server allows for clock skew), so the one the
 * tabs start with has expired for real when they load, and the one the refresh brings lasts while they load (under a
 * loaded machine's slow page loads, a shorter one would expire again and be refreshed a second time). The suite's
 * server keeps the normal lifetime: a gateway connection is closed when its token expires.
 */
const test = suite.extend<object, { shortTokenServer: string }>({
  shortTokenServer: [
    async ({}, use) => {
      const server = await startServer({ KAMACHAT_ACCESS_TOKEN_LIFETIME: '00:00:01', KAMACHAT_TOKEN_CLOCK_SKEW: `00:00:${CLOCK_SKEW_S}` });
      await use(server.baseURL);
      await server.stop();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  baseURL: async ({ shortTokenServer }, use) => use(shortTokenServer),
});

const CLOCK_SKEW_S = 12;

interface Tokens {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
  user: { id: string };
}

test('an expired access token is refreshed once, even with two tabs loading at the same moment', async ({ browser, baseURL }) => {
  // A new account's session, kept where the web client keeps it: the tabs open signed in with its first token. How
  // long this setup takes does not matter: that token is only ever used after it has expired.
  const account = newAccount('fresh');
  const registered = await fetch(`${baseURL}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  expect(registered.status).toBe(201);
  const tokens = (await registered.json()) as Tokens;
  const before = {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    sessionId: tokens.sessionId,
    userId: tokens.user.id,
  };
  const context = await browser.newContext({
    baseURL,
    storageState: {
      cookies: [],
      origins: [{ origin: new URL(baseURL!).origin, localStorage: [{ name: 'kamachat.auth', value: JSON.stringify(before) }] }],
    },
  });

  const refreshes: string[] = [];
  const refused: string[] = [];
  context.on('request', (request) => {
    if (request.url().endsWith('/api/v1/auth/refresh')) refreshes.push(request.url());
  });
  context.on('response', (response) => {
    if (response.url().includes('/api/') && response.status() === 401 && !response.url().endsWith('/refresh')) refused.push(response.url());
  });
  const [first, second] = [await context.newPage(), await context.newPage()];

  // Until the token is refused: its expiry (the `exp` claim, seconds) plus the server's skew.
  const { exp } = JSON.parse(Buffer.from(before.accessToken.split('.')[1], 'base64url').toString()) as { exp: number };
  await first.waitForTimeout(Math.max(0, exp * 1000 + CLOCK_SKEW_S * 1000 + 1_000 - Date.now()));
  // Both tabs load a page whose data needs the (now expired) token, at once.
  await Promise.all([first.goto('/settings/sessions'), second.goto('/settings/sessions')]);
  for (const page of [first, second]) {
    await expect(page.getByTestId('session')).toHaveCount(1);
    await expect(page).toHaveURL(/\/settings\/sessions$/);
  }
  expect(refused.length, 'the expired token was refused at least once').toBeGreaterThan(0);
  expect(refreshes, 'exactly one refresh between the two tabs').toHaveLength(1);
  const after = await first.evaluate(() => JSON.parse(localStorage.getItem('kamachat.auth')!) as { refreshToken: string });
  expect(after.refreshToken).not.toBe(before.refreshToken);
  // The refreshing tab marked the traded token for the other tabs (a Web Lock held by the browser).
  const held = await first.evaluate(async () => ((await navigator.locks.query()).held ?? []).map((lock) => lock.name));
  expect(held.filter((name) => name?.startsWith('kamachat.auth.spent.'))).toHaveLength(1);
  await context.close();
});
