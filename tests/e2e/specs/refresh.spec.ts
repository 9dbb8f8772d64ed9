import { expect, newAccount, signUp, test as suite, homeHeading } from '../support/fixtures';
import { startServer } from '../support/server';

/**
 * This spec's own server issues access tokens that live 1 s (+30 s the server allows for clock skew), so they expire
 * during the test and are refreshed for real. The suite's server keeps the normal lifetime: a gateway connection is
 * closed when its token expires, and with 1-second tokens that would be within a second of opening it.
 */
const test = suite.extend<object, { shortTokenServer: string }>({
  shortTokenServer: [
    async ({}, use) => {
      const server = await startServer({ KAMACHAT_ACCESS_TOKEN_LIFETIME: '00:00:01' });
      await use(server.baseURL);
      await server.stop();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  baseURL: async ({ shortTokenServer }, use) => use(shortTokenServer),
});

const TOKEN_EXPIRY_MS = 32_000;

test('an expired access token is refreshed once, even with two tabs loading at the same moment', async ({ context }) => {
  test.setTimeout(TOKEN_EXPIRY_MS + 40_000);
  const first = await context.newPage();
  await signUp(first, newAccount('fresh'));
  const second = await context.newPage();
  await second.goto('/');
  await expect(homeHeading(second)).toBeVisible();
  const before = await first.evaluate(() => JSON.parse(localStorage.getItem('kamachat.auth')!) as { refreshToken: string });

  const refreshes: string[] = [];
  const refused: string[] = [];
  context.on('request', (request) => {
    if (request.url().endsWith('/api/v1/auth/refresh')) refreshes.push(request.url());
  });
  context.on('response', (response) => {
    if (response.url().includes('/api/') && response.status() === 401 && !response.url().endsWith('/refresh')) refused.push(response.url());
  });

  await first.waitForTimeout(TOKEN_EXPIRY_MS);
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
});
