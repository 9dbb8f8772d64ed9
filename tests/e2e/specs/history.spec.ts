import { expect, test } from '../support/fixtures';
import { ApiUser, logInAs, messageContent, pool } from '../support/chat';

test('a channel with 10,000 messages keeps only a bounded number of rows in the page and loads older ones on scroll', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const owner = await ApiUser.register(baseURL!, 'hist');
  const server = await owner.call<{ id: string }>('POST', '/api/v1/servers', { name: 'History' });
  const channels = await owner.call<{ id: string; type: string }[]>('GET', `/api/v1/servers/${server.id}/channels`);
  const general = channels.find((c) => c.type === 'text')!;
  // The budget case: 10,000 messages (about 35 s to seed on a 2-core machine).
  const total = 10_000;
  await pool(total, 8, (i) => owner.send(general.id, `seed ${String(i + 1).padStart(5, '0')}`));

  const { context, page } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  const rows = page.getByTestId('message-row');
  await expect(rows.first()).toBeVisible({ timeout: 10_000 });
  const initial = await rows.count();
  expect(initial).toBeGreaterThan(5);
  expect(initial).toBeLessThan(60);

  // The newest page (50 messages) is loaded; scrolling to the top fetches older pages while the DOM stays small.
  const scroller = page.getByTestId('message-scroller');
  const oldestShown = () => page.getByTestId('message-row').first().getAttribute('data-message-id');
  await expect
    .poll(() => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight), { timeout: 10_000 })
    .toBeLessThan(100);
  const startOldest = await oldestShown();
  // One scroll to the top: the older page arrives above, and the reader stays where they were (not at the top).
  await scroller.evaluate((el) => {
    el.scrollTop = 0;
  });
  await expect.poll(() => scroller.evaluate((el) => el.scrollTop), { timeout: 20_000 }).toBeGreaterThan(1000);
  await expect(page.locator(`[data-message-id="${startOldest}"]`)).toBeInViewport();
  expect(await page.getByTestId('message-row').count()).toBeLessThan(60);

  // Keep going up a few pages: older messages keep arriving, the row count stays bounded.
  let loaded = 0;
  await expect
    .poll(
      async () => {
        await scroller.evaluate((el) => {
          el.scrollTop = 0;
        });
        loaded = await scroller.evaluate((el) => el.scrollHeight);
        return loaded;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThan(56 * 150);
  expect(await page.getByTestId('message-row').count()).toBeLessThan(60);
  await expect(messageContent(page, `seed ${String(total).padStart(5, '0')}`)).toHaveCount(0);
  await context.close();
});
