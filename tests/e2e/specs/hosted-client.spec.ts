import type { BrowserContext } from '@playwright/test';
import { ApiUser, composer, messageContent } from '../support/chat';
import { expect, newAccount, signUp, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

/** Global setup serves the built client from a loopback origin of its own, listed in the server's KAMACHAT_CORS_ORIGINS. */
function shellOrigin() {
  const origin = process.env.KAMACHAT_E2E_SHELL;
  if (!origin) throw new Error('KAMACHAT_E2E_SHELL is not set: global setup did not serve the web client');
  return origin;
}

/**
 * Hands the client the configuration a host such as the desktop app injects before the app starts. `keyring` swaps
 * localStorage for an asynchronous token storage (as the desktop's OS keyring is), kept here in sessionStorage so
 * that it survives a page load.
 */
async function configure(context: BrowserContext, serverUrl: string, keyring: boolean) {
  await context.addInitScript(
    ({ serverUrl, keyring }) => {
      const later = <T>(value: () => T) => new Promise<T>((resolve) => setTimeout(() => resolve(value()), 30));
      const tokenStorage = {
        load: () => later(() => JSON.parse(sessionStorage.getItem('test.keyring') ?? 'null') as unknown),
        save: (tokens: unknown) =>
          later(() =>
            tokens ? sessionStorage.setItem('test.keyring', JSON.stringify(tokens)) : sessionStorage.removeItem('test.keyring'),
          ),
      };
      (window as unknown as { __KAMACHAT_CONFIG__: unknown }).__KAMACHAT_CONFIG__ = { serverUrl, ...(keyring ? { tokenStorage } : {}) };
    },
    { serverUrl, keyring },
  );
}

test('the same build runs from another origin, talking to the configured server over REST and the gateway', async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext();
  await configure(context, baseURL!, false);
  const page = await context.newPage();
  const apiCalls: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/')) apiCalls.push(new URL(request.url()).origin);
  });

  const account = newAccount('hosted');
  await signUp(page, account, shellOrigin());
  expect(new URL(page.url()).origin).toBe(shellOrigin());
  expect(new Set(apiCalls)).toEqual(new Set([new URL(baseURL!).origin]));

  // A DM from someone else arrives live: the gateway connected to the configured server too.
  const { userId } = await page.evaluate(() => JSON.parse(localStorage.getItem('kamachat.auth')!) as { userId: string });
  const friend = await ApiUser.register(baseURL!, 'friend');
  const dm = await friend.call<{ id: string }>('POST', '/api/v1/users/@me/channels', { recipientId: userId });
  await friend.send(dm.id, 'hello across origins');
  const list = page.getByRole('navigation', { name: 'Direct message list' }).getByRole('link');
  await expect(list.first()).toHaveAccessibleName(new RegExp(`${friend.account.username}, unread`), LIVE);
  await list.first().click();
  await expect(messageContent(page, 'hello across origins')).toHaveCount(1, LIVE);
  await composer(page).fill('and back');
  await composer(page).press('Enter');
  await expect
    .poll(async () => (await friend.call<{ content: string }[]>('GET', `/api/v1/channels/${dm.id}/messages`)).map((m) => m.content), LIVE)
    .toContain('and back');
  await context.close();
});

test('a host’s own token storage keeps the session, and localStorage never sees the tokens', async ({ browser, baseURL }) => {
  const context = await browser.newContext();
  await configure(context, baseURL!, true);
  const page = await context.newPage();
  const account = newAccount('keyring');
  await signUp(page, account, shellOrigin());

  await expect.poll(() => page.evaluate(() => sessionStorage.getItem('test.keyring')), LIVE).toContain('refreshToken');
  expect(await page.evaluate(() => localStorage.getItem('kamachat.auth'))).toBeNull();
  // A new page load reads the session back from the asynchronous storage before the route guard decides.
  await page.goto(`${shellOrigin()}/settings/profile`);
  await expect(page.getByRole('heading', { name: 'Profile', level: 1 })).toBeVisible(LIVE);
  await expect(page).toHaveURL(`${shellOrigin()}/settings/profile`);
  await page.goto(`${shellOrigin()}/`);
  await expect(page.getByText(`@${account.username}`)).toBeVisible(LIVE);
  await context.close();
});
