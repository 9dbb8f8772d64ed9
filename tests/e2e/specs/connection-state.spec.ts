import type { Page, WebSocketRoute } from '@playwright/test';
import { ApiUser, logInAs, messageContent } from '../support/chat';
import { expect, expectAccessible, homeHeading, logIn, screenshot, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

/**
 * Routes the page's gateway connections through the test: `cut` closes the live ones and refuses new ones until
 * `allow`; `hold` answers new ones with a socket that never speaks (a hub that is slow to come), until `release`.
 */
async function controlHub(page: Page) {
  let mode: 'pass' | 'refuse' | 'hold' = 'pass';
  const live: WebSocketRoute[] = [];
  const held: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/hubs\/gateway/, async (ws) => {
    if (mode === 'refuse') return ws.close();
    if (mode === 'hold') return void held.push(ws);
    ws.connectToServer();
    live.push(ws);
  });
  return {
    cut: async () => {
      mode = 'refuse';
      for (const ws of live.splice(0)) await ws.close();
    },
    allow: () => {
      mode = 'pass';
    },
    hold: () => {
      mode = 'hold';
    },
    release: async () => {
      mode = 'pass';
      for (const ws of held.splice(0)) await ws.close();
    },
  };
}

/** Holds the GET requests whose URL matches until `open` is called. */
async function gate(page: Page, matches: (url: URL) => boolean) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  await page.route(matches, async (route) => {
    if (route.request().method() !== 'GET') return route.fallback();
    await opened;
    await route.continue();
  });
  return { open };
}

test('while the hub is gone the app says so, greys out presence, counts down to the next try, and says when it is back', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(60_000);
  const owner = await ApiUser.register(baseURL!, 'own');
  const friend = await ApiUser.register(baseURL!, 'frd');
  const { server, general } = await owner.createServer('Connection test');
  await friend.joinServer(owner, server.id);
  const online = await logInAs(browser, baseURL!, friend);

  const { context, page } = await logInAs(browser, baseURL!, owner);
  const hub = await controlHub(page);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  const friendDot = page
    .getByRole('complementary', { name: 'Members' })
    .getByRole('button', { name: new RegExp(friend.account.username) })
    .getByRole('img');
  await expect(friendDot).toHaveAttribute('aria-label', 'online', LIVE);

  await hub.cut();
  await expect(page.getByRole('status').filter({ hasText: 'Reconnecting…' })).toBeVisible(LIVE);
  await expect(friendDot).toHaveAttribute('aria-label', 'online when last connected, unknown while reconnecting');
  await expect(friendDot).toHaveAttribute('data-stale', 'true');
  await screenshot(page, 'connection-reconnecting');

  // Once it lasts: lost, with when the next attempt is (or that it is under way), and a way to try at once.
  const lost = page.getByRole('status').filter({ hasText: /^Connection lost — retrying (in \d+s|now…)/ });
  await expect(lost).toBeVisible({ timeout: 15_000 });
  await expect(lost).toContainText(/retrying in \d+s/, { timeout: 15_000 });
  await screenshot(page, 'connection-lost');
  await expectAccessible(page);

  hub.allow();
  await lost.getByRole('button', { name: 'Retry now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Connection restored' })).toBeVisible(LIVE);
  await expect(friendDot).toHaveAttribute('aria-label', 'online');
  await expect(friendDot).not.toHaveAttribute('data-stale');
  // Live again: what the friend sends now arrives.
  await friend.send(general.id, 'glad you are back');
  await expect(messageContent(page, 'glad you are back')).toHaveCount(1, LIVE);
  await context.close();
  await online.context.close();
});

test('a slow first load shows the shape of the app, then of the channel, instead of a blank screen', async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const owner = await ApiUser.register(baseURL!, 'slow');
  const { server, general } = await owner.createServer('Slow network');
  await owner.send(general.id, 'worth the wait');
  // The service worker would serve the app's code itself, past the test's hold on it.
  const context = await browser.newContext({ baseURL, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.goto('/login');
  await logIn(page, owner.account.username, owner.account.password);
  await expect(homeHeading(page)).toBeVisible();

  // The page's code, the hub and the channel's history each hang until the test lets them through.
  const code = await gate(page, (url) => /\/assets\/ServerPage-[\w-]+\.js$/.test(url.pathname));
  const history = await gate(page, (url) => url.pathname === `/api/v1/channels/${general.id}/messages`);
  const hub = await controlHub(page);
  hub.hold();
  await page.goto(`/servers/${server.id}/channels/${general.id}`);

  await expect(page.getByTestId('app-skeleton')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Loading KamaChat…' })).toBeAttached();
  await screenshot(page, 'skeleton-app');

  code.open();
  await expect(page.getByRole('status').filter({ hasText: 'Loading channels…' })).toBeAttached(LIVE);
  await expect(page.getByRole('status').filter({ hasText: 'Loading servers…' })).toBeAttached();
  await expect(page.getByRole('status').filter({ hasText: 'Loading messages…' })).toBeVisible();
  await screenshot(page, 'skeleton-server');
  await expectAccessible(page);

  await hub.release();
  await expect(page.getByRole('heading', { level: 1, name: /general/ })).toBeVisible(LIVE);
  await expect(page.getByRole('status').filter({ hasText: 'Loading messages…' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Loading servers…' })).toHaveCount(0);

  history.open();
  await expect(messageContent(page, 'worth the wait')).toHaveCount(1, LIVE);
  await expect(page.getByTestId('skeleton')).toHaveCount(0);
  await context.close();
});
