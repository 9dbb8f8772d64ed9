import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiUser } from '../support/chat';
import { expect, newAccount, signUp, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

/** Waits until the service worker is active and controls the page (it claims pages on first activation). */
async function controlled(page: Page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, LIVE);
}

test('the manifest, icons and service worker pass Chromium’s installability check', async ({ baseURL, launchOptions }) => {
  // A profile on disk: Chromium offers no installing in incognito, which Playwright's ordinary contexts are.
  const profile = mkdtempSync(path.join(tmpdir(), 'kamachat-install-'));
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto('/login');
  await controlled(page);
  const cdp = await page.context().newCDPSession(page);

  const manifest = await cdp.send('Page.getAppManifest');
  expect(manifest.errors).toEqual([]);
  const parsed = JSON.parse(manifest.data!) as { display: string; protocol_handlers: { protocol: string; url: string }[] };
  expect(parsed.display).toBe('standalone');
  expect(parsed.protocol_handlers).toEqual([{ protocol: 'web+kamachat', url: '/open?link=%s' }]);

  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  expect(installabilityErrors).toEqual([]);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
});

test('offline, a reload shows the offline page, the built files come from the cache, and it recovers by itself', async ({
  page,
  context,
}) => {
  await page.goto('/login');
  await controlled(page);
  const script = await page.evaluate(() => document.querySelector<HTMLScriptElement>('script[type="module"]')!.src);
  expect(script).toMatch(/\/assets\/index-.+\.js$/);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'You are offline' })).toBeVisible();
  // The service worker answers for the client's own files without the network; the API is never cached.
  expect(await page.evaluate((src) => fetch(src).then((r) => r.ok), script)).toBe(true);
  expect(await page.evaluate(() => fetch('/icons/icon-192.png').then((r) => r.ok))).toBe(true);
  expect(
    await page.evaluate(() =>
      fetch('/api/v1/users/@me').then(
        () => 'answered',
        () => 'failed',
      ),
    ),
  ).toBe('failed');

  await context.setOffline(false);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible(LIVE);
});

/** Records what the page asks of the Notifications and Badging APIs (the browser shows them outside the page). */
async function watchNotifications(context: BrowserContext) {
  await context.addInitScript(() => {
    const seen = { notes: [] as { title: string; body: string; path: string }[], badges: [] as (number | 'dot' | 'clear')[] };
    const shown: Notification[] = [];
    Object.assign(window, { __seen: seen, __shown: shown });
    const Real = window.Notification;
    class Watched extends Real {
      constructor(title: string, options: NotificationOptions = {}) {
        super(title, options);
        seen.notes.push({ title, body: options.body ?? '', path: (options.data as { path: string }).path });
        shown.push(this);
      }
    }
    Object.defineProperty(window, 'Notification', { value: Watched, configurable: true });
    navigator.setAppBadge = (count?: number) => (seen.badges.push(count ?? 'dot'), Promise.resolve());
    navigator.clearAppBadge = () => (seen.badges.push('clear'), Promise.resolve());
  });
}

type Seen = { notes: { title: string; body: string; path: string }[]; badges: (number | 'dot' | 'clear')[] };
const seen = (page: Page) => page.evaluate(() => (window as unknown as { __seen: Seen }).__seen);

test('without the desktop app, a DM pops up a browser notification that opens it, sets the app badge, and the mute silences it', async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ baseURL });
  await context.grantPermissions(['notifications']);
  await watchNotifications(context);
  const page = await context.newPage();
  const account = newAccount('pwa');
  await signUp(page, account);
  const { userId } = await page.evaluate(() => JSON.parse(localStorage.getItem('kamachat.auth')!) as { userId: string });

  // The conversation list loaded before the conversation exists: it can then only show up through the gateway
  // (its event, or the Ready of a connection made since), which is then connected for what follows.
  await expect(page.getByText('No conversations yet.')).toBeVisible(LIVE);
  const friend = await ApiUser.register(baseURL!, 'pal');
  const dm = await friend.call<{ id: string }>('POST', '/api/v1/users/@me/channels', { recipientId: userId });
  await expect(
    page.getByRole('navigation', { name: 'Direct message list' }).getByRole('link', { name: friend.account.username }),
  ).toBeVisible(LIVE);
  const sent = await friend.send(dm.id, 'are you there?');
  await expect
    .poll(async () => (await seen(page)).notes, LIVE)
    .toEqual([{ title: friend.account.username, body: 'are you there?', path: `/channels/@me/${dm.id}/${sent.id}` }]);
  await expect.poll(async () => (await seen(page)).badges.at(-1), LIVE).toBe(1);

  // Clicking it (the browser calls the notification's click handler) opens the message in its conversation.
  await page.evaluate(() => {
    const shown = (window as unknown as { __shown: Notification[] }).__shown;
    shown[0]!.dispatchEvent(new Event('click', { cancelable: true }));
  });
  await expect(page).toHaveURL(new RegExp(`/channels/@me/${dm.id}/${sent.id}$`), LIVE);
  await expect(page.locator(`[data-message-id="${sent.id}"]`)).toHaveAttribute('aria-current', 'location', LIVE);
  // Read now: the badge clears.
  await expect.poll(async () => (await seen(page)).badges.at(-1), LIVE).toBe('clear');

  // Muted in the settings (on the server, like the desktop tray's mute): the next DM pops nothing up.
  await page.goto('/settings/notifications');
  const show = page.getByRole('checkbox', { name: /Show notifications for direct messages and mentions/ });
  await show.click();
  await expect(show).not.toBeChecked();
  await expect(page.getByText('Saved.')).toBeVisible(LIVE);
  await friend.send(dm.id, 'hello again');
  // The badge follows the same event (after the pop-up would have been raised): it counts the DM, nothing popped up.
  await expect.poll(async () => (await seen(page)).badges.at(-1), LIVE).toBe(1);
  expect((await seen(page)).notes).toEqual([]);
  await context.close();
});
