import { expect, newAccount, signUp, test as suite, homeHeading } from '../support/fixtures';
import { startServer } from '../support/server';

/**
 * This spec's own server issues access tokens that live 1 s (+12 s the server allows for clock skew), so they expire
 * during the test and are refreshed for real; the skew leaves the setup time to sign up and open both tabs with the
 * first token. The suite's server keeps the normal lifetime: a gateway connection is closed when its token expires, and
 * with 1-second tokens that would be within a second of opening it.
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

test('an expired access token is refreshed once, even with two tabs loading at the same moment', async ({ context }) => {
  test.setTimeout(60_000);
  const first = await context.newPage();
  await signUp(first, newAccount('fresh'));
  const second = await context.newPage();
  await second.goto('/');
  await expect(homeHeading(second)).toBeVisible();
  const before = await first.evaluate(
    () => JSON.parse(localStorage.getItem('kamachat.auth')!) as { accessToken: string; refreshToken: string },
  );
  // Until the token the two tabs hold is refused: its expiry (the `exp` claim, seconds) plus the server's skew.
  const { exp } = JSON.parse(Buffer.from(before.accessToken.split('.')[1], 'base64url').toString()) as { exp: number };
  const refusedFrom = exp * 1000 + CLOCK_SKEW_S * 1000 + 1_000;

  const refreshes: string[] = [];
  const refused: string[] = [];
  context.on('request', (request) => {
    if (request.url().endsWith('/api/v1/auth/refresh')) refreshes.push(request.url());
  });
  context.on('response', (response) => {
    if (response.url().includes('/api/') && response.status() === 401 && !response.url().endsWith('/refresh')) refused.push(response.url());
  });

  expect(Date.now(), 'the tabs opened while their first token was still accepted').toBeLessThan(exp * 1000 + CLOCK_SKEW_S * 1000);
  await first.waitForTimeout(Math.max(0, refusedFrom - Date.now()));
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
