import { chromium, type Browser, type Page } from '@playwright/test';
import { expect, expectAccessible, screenshot, test } from '../support/fixtures';
import { ApiUser, logInOn, messageContent } from '../support/chat';
import { chromiumArgs, chromiumPath } from '../support/chromium';

const LIVE = { timeout: 10_000 };

declare global {
  interface Window {
    /** Every pop-up the page raised, in order (the init script below). */
    kamachatNotes: { title: string; body: string }[];
    /** Whether the tab pretends to be in the background (headless pages are always visible). */
    kamachatHidden: boolean;
  }
}

/**
 * Signs the user in with notifications allowed, counting each `new Notification(...)`, and with a switch that makes the
 * tab hidden and unfocused as far as the page can tell.
 */
async function signedInWithNotifications(browser: Browser, baseURL: string, user: ApiUser) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['notifications'], { origin: baseURL });
  await context.addInitScript(() => {
    window.kamachatNotes = [];
    window.kamachatHidden = false;
    const Original = window.Notification;
    class Counting extends Original {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        window.kamachatNotes.push({ title, body: options?.body ?? '' });
      }
    }
    window.Notification = Counting;
    Object.defineProperty(document, 'visibilityState', { get: () => (window.kamachatHidden ? 'hidden' : 'visible') });
    const hasFocus = document.hasFocus.bind(document);
    document.hasFocus = () => !window.kamachatHidden && hasFocus();
  });
  const page = await context.newPage();
  await logInOn(page, user);
  return { context, page };
}

const notes = (page: Page) => page.evaluate(() => window.kamachatNotes.map((n) => n.body));
const hide = (page: Page, hidden: boolean) => page.evaluate((h) => (window.kamachatHidden = h), hidden);

test('a channel set to nothing, or muted for 15 minutes, raises no pop-up for a mention while the tab is hidden', async ({
  browser,
  baseURL,
}) => {
  const alice = await ApiUser.register(baseURL!, 'nla');
  const bob = await ApiUser.register(baseURL!, 'nlb');
  const { server, general } = await alice.createServer('Quiet club');
  await bob.joinServer(alice, server.id);
  const crew = await alice.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/roles`, {
    name: 'crew',
    permissions: '0',
    color: 0x3ba55c,
    mentionable: true,
  });
  const dm = await alice.call<{ id: string }>('POST', '/api/v1/users/@me/channels', { recipientId: bob.id });
  const { context, page } = await signedInWithNotifications(browser, baseURL!, bob);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);

  // The bell in the channel's header: this channel's level and mute, and the server's.
  await page.getByRole('button', { name: 'Notification settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Notification settings' });
  const channelRule = dialog.getByTestId(`notification-rule-channels-${general.id}`);
  await expect(channelRule.getByRole('radio', { name: 'Default (Only @mentions)' })).toBeChecked();
  await channelRule.getByRole('radio', { name: 'Nothing' }).click();
  await expect(channelRule.getByRole('radio', { name: 'Nothing' })).toBeChecked();
  await expectAccessible(page);
  await screenshot(page, 'notification-levels-dialog');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('button', { name: 'Notification settings (muted)' })).toBeVisible();

  // Hidden tab: the mention arrives (it is on the page) without a pop-up; a DM right after still pops up.
  await hide(page, true);
  await alice.send(general.id, `<@${bob.id}> level nothing`);
  await expect(messageContent(page, '@' + bob.account.username + ' level nothing')).toBeVisible(LIVE);
  await alice.send(dm.id, 'control one');
  await expect.poll(() => notes(page), LIVE).toEqual(['control one']);

  // Back to the server's level, but muted for 15 minutes.
  await hide(page, false);
  await page.getByRole('button', { name: 'Notification settings (muted)' }).click();
  await channelRule.getByRole('radio', { name: 'Default (Only @mentions)' }).click();
  await channelRule.getByRole('combobox', { name: /^Mute #general/ }).selectOption({ label: 'For 15 minutes' });
  await expect(channelRule.getByText(/^Muted until .+\.$/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await hide(page, true);
  await alice.send(general.id, `<@${bob.id}> muted for a while`);
  await expect(messageContent(page, '@' + bob.account.username + ' muted for a while')).toBeVisible(LIVE);
  await alice.send(dm.id, 'control two');
  await expect.poll(() => notes(page), LIVE).toEqual(['control one', 'control two']);

  // Unmuted from another device: this one follows at once, and the next mention pops up.
  await bob.call('PUT', `/api/v1/users/@me/notification-settings/channels/${general.id}`, { level: null, muted: false });
  await expect(page.getByRole('button', { name: 'Notification settings' })).toBeVisible(LIVE);
  // The pop-up names every mention as the message reads it.
  await alice.send(general.id, `<@${bob.id}> heard now, <@&${crew.id}> in <#${general.id}>`);
  await expect
    .poll(() => notes(page), LIVE)
    .toEqual(['control one', 'control two', `@${bob.account.username} heard now, @crew in #general`]);

  // A role's mention pops up for whoever holds the role, at the default level (only @mentions): not before Bob is
  // given it, and once his page knows he has it (his name takes the role's colour), it does.
  await alice.send(general.id, `<@&${crew.id}> before Bob is crew`);
  await expect(messageContent(page, '@crew before Bob is crew')).toBeVisible(LIVE);
  const bobsName = page.getByRole('complementary', { name: 'Members' }).getByText(bob.account.username, { exact: true });
  const plain = await bobsName.evaluate((e) => getComputedStyle(e).color);
  await alice.call('PUT', `/api/v1/servers/${server.id}/members/${bob.id}/roles/${crew.id}`);
  await expect(bobsName).not.toHaveCSS('color', plain, LIVE);
  await alice.send(general.id, `<@&${crew.id}> Bob is crew now`);
  await expect
    .poll(() => notes(page), LIVE)
    .toEqual(['control one', 'control two', `@${bob.account.username} heard now, @crew in #general`, '@crew Bob is crew now']);
  await context.close();
});

test('the notification settings list each server’s level and mute, and pass axe', async ({ browser, baseURL }) => {
  const bob = await ApiUser.register(baseURL!, 'nls');
  const { server } = await bob.createServer('Settings club');
  const { context, page } = await signedInWithNotifications(browser, baseURL!, bob);
  await page.goto('/settings/notifications');
  await page.getByText('Settings club', { exact: true }).click();
  const rule = page.getByTestId(`notification-rule-servers-${server.id}`);
  await rule.getByRole('radio', { name: 'All messages' }).click();
  await rule.getByRole('combobox', { name: 'Mute Settings club' }).selectOption({ label: 'Until I turn it back on' });
  await expect(rule.getByText('Muted until you turn it back on.')).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'notification-settings-servers');
  const saved = await bob.call<{ servers: { id: string; level: string; muted: boolean; mutedUntil: string | null }[] }>(
    'GET',
    '/api/v1/users/@me/notification-settings',
  );
  expect(saved.servers).toEqual([{ id: server.id, level: 'all', muted: true, mutedUntil: null }]);
  await context.close();
});

test('the service worker shows a pushed message and opens its conversation when clicked', async ({ baseURL }) => {
  const bob = await ApiUser.register(baseURL!, 'nlp');
  // A browser of its own: notifications are the browser's, not a context's, and in the whole suite (not alone, nor with
  // its neighbours) this one has failed to show after other specs' notifications on the same origin; suspected, not proven.
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  // Closed however the test ends: a failure must not leave a browser running until the worker exits.
  try {
    const { context, page } = await signedInWithNotifications(browser, baseURL!, bob);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, LIVE);

    // A real push event, delivered by Chromium's DevTools protocol (no push service is reachable here).
    const cdp = await context.newCDPSession(page);
    const registrationId = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((r) => r.scopeURL.startsWith(baseURL!) && !r.isDeleted);
        if (ours) resolve(ours.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    const path = '/settings/notifications';
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: new URL(baseURL!).origin,
      registrationId: await registrationId,
      data: JSON.stringify({ title: 'Alice', body: 'lunch at noon?', tag: 'channel:1', path }),
    });
    const shown = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag })),
      );
    await expect.poll(shown, LIVE).toEqual([{ title: 'Alice', body: 'lunch at noon?', tag: 'channel:1' }]);

    // Clicking it (the worker's notificationclick) brings the conversation up in the open window.
    const [worker] = context.serviceWorkers();
    await worker!.evaluate(async () => {
      // The worker's own globals, which the page's type library does not describe.
      const scope = self as unknown as {
        registration: ServiceWorkerRegistration;
        dispatchEvent(event: Event): boolean;
        NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
      };
      const [notification] = await scope.registration.getNotifications();
      scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification: notification! }));
    });
    await expect(page).toHaveURL(new RegExp(`${path}$`), LIVE);
    await expect.poll(shown, LIVE).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('opening a DM in a browser not asked yet offers to turn notifications on, and asks only on the click', async ({
  browser,
  baseURL,
}) => {
  const alice = await ApiUser.register(baseURL!, 'nqa');
  const bob = await ApiUser.register(baseURL!, 'nqb');
  const dm = await alice.call<{ id: string }>('POST', '/api/v1/users/@me/channels', { recipientId: bob.id });
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await logInOn(page, bob);
  const offer = page.getByRole('region', { name: 'Desktop notifications' });
  await expect(offer).toHaveCount(0);
  expect(await page.evaluate(() => Notification.permission)).toBe('default');

  await page.goto(`/channels/@me/${dm.id}`);
  await expect(offer.getByRole('button', { name: 'Enable notifications' })).toBeVisible();
  await screenshot(page, 'notification-permission-offer');
  // What the person answers in the browser's own prompt (Playwright stands in for it).
  await context.grantPermissions(['notifications'], { origin: baseURL });
  await offer.getByRole('button', { name: 'Enable notifications' }).click();
  await expect(offer).toHaveCount(0);
  expect(await page.evaluate(() => Notification.permission)).toBe('granted');
  await context.close();
});
