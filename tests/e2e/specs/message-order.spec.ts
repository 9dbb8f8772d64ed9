import type { Page } from '@playwright/test';
import { ApiUser, composer, logInAs, messageContent } from '../support/chat';
import { expect, expectAccessible, screenshot, test as suite } from '../support/fixtures';
import { startServer, type RunningServer } from '../support/server';

/**
 * This spec freezes its server (SIGSTOP, then SIGCONT), so it runs one of its own: the suite's server is shared by
 * every other spec. Only this process, which this spec started, is ever signalled.
 */
const test = suite.extend<object, { ownServer: RunningServer }>({
  ownServer: [
    async ({}, use) => {
      const server = await startServer();
      await use(server);
      await server.stop();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  baseURL: async ({ ownServer }, use) => use(ownServer.baseURL),
});

const LIVE = { timeout: 15_000 };
const OURS = /^(ann|bob) says \d$/;

/** The messages sent (confirmed by the server) whose text matches. */
const sentMatching = (page: Page, pattern: RegExp) =>
  page
    .locator('[data-testid=message-row][data-state=sent]')
    .filter({ has: page.getByTestId('message-content').filter({ hasText: pattern }) });

/** The texts of the messages in the channel that match `pattern`, top to bottom, as this page shows them. */
async function shownOrder(page: Page, pattern: RegExp) {
  const texts = await page.locator('[data-testid=message-row][data-state=sent] [data-testid=message-content]').allInnerTexts();
  return texts.map((t) => t.trim()).filter((t) => pattern.test(t));
}

async function serverOrder(user: ApiUser, channelId: string, pattern: RegExp) {
  const history = await user.call<{ content: string }[]>('GET', `/api/v1/channels/${channelId}/messages?limit=50`);
  return history
    .map((m) => m.content)
    .filter((c) => pattern.test(c))
    .reverse();
}

test('messages typed while the server is frozen land in the order each person typed them, the same for everyone', async ({
  browser,
  baseURL,
  ownServer,
}) => {
  test.setTimeout(90_000);
  const ann = await ApiUser.register(baseURL!, 'ann');
  const bob = await ApiUser.register(baseURL!, 'bob');
  const { server, general } = await ann.createServer('Order test');
  await bob.joinServer(ann, server.id);
  const a = await logInAs(browser, baseURL!, ann);
  const b = await logInAs(browser, baseURL!, bob);
  for (const page of [a.page, b.page]) await page.goto(`/servers/${server.id}/channels/${general.id}`);
  // Both are live before the freeze: each sees a message sent after their page opened.
  await ann.send(general.id, 'before the freeze');
  for (const page of [a.page, b.page]) await expect(messageContent(page, 'before the freeze')).toHaveCount(1, LIVE);

  process.kill(ownServer.pid, 'SIGSTOP');
  try {
    for (let i = 1; i <= 3; i++) {
      for (const [page, who] of [
        [a.page, 'ann'],
        [b.page, 'bob'],
      ] as const) {
        await composer(page).fill(`${who} says ${i}`);
        await composer(page).press('Enter');
      }
    }
    // Each writer sees their three at once, still on their way.
    for (const page of [a.page, b.page]) await expect(page.locator('[data-testid=message-row][data-state=pending]')).toHaveCount(3);
    await screenshot(a.page, 'message-order-frozen');
    // The stall itself: the server stays frozen for a while with the sends waiting (no condition to wait for).
    await new Promise((resolve) => setTimeout(resolve, 4000));
  } finally {
    process.kill(ownServer.pid, 'SIGCONT');
  }

  // After the thaw, all six arrive on both sides; each person's in the order they typed, and both sides agree.
  for (const page of [a.page, b.page]) {
    await expect(sentMatching(page, OURS)).toHaveCount(6, LIVE);
  }
  const stored = await serverOrder(ann, general.id, OURS);
  expect(stored.filter((t) => t.startsWith('ann'))).toEqual(['ann says 1', 'ann says 2', 'ann says 3']);
  expect(stored.filter((t) => t.startsWith('bob'))).toEqual(['bob says 1', 'bob says 2', 'bob says 3']);
  expect(await shownOrder(a.page, OURS)).toEqual(stored);
  expect(await shownOrder(b.page, OURS)).toEqual(stored);
  await screenshot(b.page, 'message-order-after-thaw');
  await a.context.close();
  await b.context.close();
});

test('a refused send holds the messages after it, says so, and Retry or Discard lets them go in order', async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const ann = await ApiUser.register(baseURL!, 'ann');
  const bob = await ApiUser.register(baseURL!, 'bob');
  const { server, general } = await ann.createServer('Held sends');
  await bob.joinServer(ann, server.id);
  const a = await logInAs(browser, baseURL!, ann);
  const b = await logInAs(browser, baseURL!, bob);
  for (const page of [a.page, b.page]) await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(composer(a.page)).toBeVisible();

  // The network drops the first attempt at "one" and every attempt at "four".
  let refuseOne = true;
  await a.page.route('**/api/v1/channels/*/messages', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const { content } = route.request().postDataJSON() as { content: string };
    if ((content === 'one' && refuseOne) || content === 'four') return route.abort('failed');
    return route.continue();
  });
  for (const text of ['one', 'two', 'three']) {
    await composer(a.page).fill(text);
    await composer(a.page).press('Enter');
  }
  const failed = a.page.locator('[data-testid=message-row][data-state=failed]');
  await expect(failed.filter({ has: messageContent(a.page, 'one') })).toHaveCount(1, LIVE);
  await expect(failed.getByRole('alert')).toContainText('Not sent. Messages you wrote after it wait until you retry or discard it.');
  const held = a.page.locator('[data-testid=message-row][data-state=held]');
  await expect(held).toHaveCount(2);
  await expect(held.getByTestId('held-notice').first()).toContainText('Waiting: a message before it was not sent.');
  // Held means held: nothing after the refused one went out.
  expect(await serverOrder(ann, general.id, /^(one|two|three)$/)).toEqual([]);
  await screenshot(a.page, 'message-order-held');
  await expectAccessible(a.page);

  refuseOne = false;
  await failed.getByRole('button', { name: 'Retry' }).click();
  for (const page of [a.page, b.page]) {
    await expect(sentMatching(page, /^(one|two|three)$/)).toHaveCount(3, LIVE);
    expect(await shownOrder(page, /^(one|two|three)$/)).toEqual(['one', 'two', 'three']);
  }
  expect(await serverOrder(ann, general.id, /^(one|two|three)$/)).toEqual(['one', 'two', 'three']);

  // Discarding the refused one sends the rest, and never it.
  for (const text of ['four', 'five']) {
    await composer(a.page).fill(text);
    await composer(a.page).press('Enter');
  }
  await expect(failed.filter({ has: messageContent(a.page, 'four') })).toHaveCount(1, LIVE);
  await expect(held.filter({ has: messageContent(a.page, 'five') })).toHaveCount(1);
  await failed.getByRole('button', { name: 'Discard' }).click();
  await expect(messageContent(b.page, 'five')).toHaveCount(1, LIVE);
  await expect(messageContent(a.page, 'four')).toHaveCount(0);
  expect(await serverOrder(ann, general.id, /^(four|five)$/)).toEqual(['five']);
  await a.context.close();
  await b.context.close();
});
