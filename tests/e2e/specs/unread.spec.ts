import { ApiUser, logInAs, messageContent } from '../support/chat';
import { expect, expectAccessible, screenshot, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

test('unread guides you: the channel opens at a "New messages" divider, is read only once you reach the end (or Mark as read), "N new messages · Jump to present" while scrolled up, and mentions of you stand out', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const owner = await ApiUser.register(baseURL!, 'unr');
  const reader = await ApiUser.register(baseURL!, 'unrr');
  const { server, general } = await owner.createServer('Unread');
  await reader.joinServer(owner, server.id);
  const other = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/channels`, { name: 'other', type: 'text' });
  await owner.send(general.id, 'already read');

  const { page, context } = await logInAs(browser, baseURL!, reader);
  const channelList = page.getByRole('navigation', { name: 'Channel list' });
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(messageContent(page, 'already read')).toBeVisible(LIVE);
  await expect(channelList.getByRole('link', { name: 'general', exact: true })).toBeVisible(LIVE);
  await channelList.getByRole('link', { name: 'other' }).click();
  await expect(page).toHaveURL(new RegExp(`/channels/${other.id}$`));

  // 130 messages arrive while the reader is elsewhere.
  for (let i = 0; i < 130; i++) await owner.send(general.id, `unread ${i}`);
  await expect(channelList.getByRole('link', { name: 'general, unread' })).toBeVisible(LIVE);
  await channelList.getByRole('link', { name: 'general, unread' }).click();

  // It opens at the first unread message, under the divider, and says how many are new and since when.
  const divider = page.getByRole('separator', { name: 'New messages' });
  await expect(divider).toBeInViewport(LIVE);
  await expect(page.locator('[data-index]', { has: divider })).toContainText('unread 0');
  const bar = page.getByRole('status').filter({ hasText: /new messages since \d/ });
  // The history followed live while the reader was elsewhere, so the count is exact.
  await expect(bar).toContainText('130 new messages since');
  await screenshot(page, 'unread-divider');
  await expectAccessible(page);
  // Opening is not reading: the channel stays unread until the end is reached.
  await expect(channelList.getByRole('link', { name: 'general, unread' })).toBeVisible();
  await page.getByRole('button', { name: /Jump to present/ }).click();
  await expect(messageContent(page, 'unread 129')).toBeInViewport(LIVE);
  await expect(channelList.getByRole('link', { name: 'general', exact: true })).toBeVisible(LIVE);
  await expect(bar).toHaveCount(0);

  // Scrolled up while new messages arrive: a count, and Jump to present takes you there and reads them.
  const box = (await page.getByTestId('message-scroller').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -3000);
  await expect(messageContent(page, 'unread 129')).not.toBeInViewport();
  await owner.send(general.id, `hey <@${reader.id}>, look`);
  await owner.send(general.id, 'and one more');
  const present = page.getByRole('button', { name: '2 new messages · Jump to present' });
  await expect(present).toBeVisible(LIVE);
  await screenshot(page, 'jump-to-present');
  await present.click();
  await expect(messageContent(page, 'and one more')).toBeInViewport(LIVE);
  await expect(present).toHaveCount(0);
  // The message that names the reader stands out; the others do not.
  await expect(page.getByTestId('message-row').filter({ hasText: 'look' })).toHaveAttribute('data-mentioned', 'true');
  await expect(page.getByTestId('message-row').filter({ has: messageContent(page, 'and one more') })).not.toHaveAttribute('data-mentioned');

  // Mark as read from the bar, without scrolling to the end.
  await channelList.getByRole('link', { name: 'other' }).click();
  for (let i = 0; i < 60; i++) await owner.send(general.id, `later ${i}`);
  await channelList.getByRole('link', { name: 'general, unread' }).click();
  await expect(bar).toBeVisible(LIVE);
  await bar.getByRole('button', { name: 'Mark as read' }).click();
  await expect(bar).toHaveCount(0);
  await expect(channelList.getByRole('link', { name: 'general', exact: true })).toBeVisible(LIVE);

  // After a reload nothing is cached: the newest page does not reach back to the marker, so the history around it loads.
  await channelList.getByRole('link', { name: 'other' }).click();
  for (let i = 0; i < 80; i++) await owner.send(general.id, `again ${i}`);
  await page.reload();
  await channelList.getByRole('link', { name: 'general, unread' }).click();
  await expect(divider).toBeInViewport(LIVE);
  await expect(page.locator('[data-index]', { has: divider })).toContainText('again 0');
  await expect(bar).toContainText(/\d+\+ new messages since/);
  await expect(channelList.getByRole('link', { name: 'general, unread' })).toBeVisible();

  // A short channel whose new messages all fit the view is read on opening, divider and all.
  await channelList.getByRole('link', { name: 'other', exact: true }).click();
  await owner.send(other.id, 'first in other');
  await expect(messageContent(page, 'first in other')).toBeVisible(LIVE);
  await expect(channelList.getByRole('link', { name: 'other', exact: true })).toBeVisible(LIVE);
  await channelList.getByRole('link', { name: /^general/ }).click();
  await owner.send(other.id, 'second in other');
  await channelList.getByRole('link', { name: 'other, unread' }).click();
  await expect(divider).toBeVisible(LIVE);
  await expect(channelList.getByRole('link', { name: 'other', exact: true })).toBeVisible(LIVE);
  await context.close();
});

test('an unread DM shows on the server rail with its count while you are in a server, and leaves it once read', async ({
  browser,
  baseURL,
}) => {
  const owner = await ApiUser.register(baseURL!, 'rail');
  const friend = await ApiUser.register(baseURL!, 'railf');
  const { server, general } = await owner.createServer('Rail');
  await friend.joinServer(owner, server.id);
  const { page, context } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(page.getByRole('heading', { name: 'general', level: 1 })).toBeVisible(LIVE);

  const dm = await friend.call<{ id: string }>('POST', '/api/v1/users/@me/channels', { recipientId: owner.id });
  await friend.send(dm.id, 'are you around?');
  const rail = page.getByRole('navigation', { name: 'Servers' });
  const entry = rail.getByRole('link', { name: new RegExp(`${friend.account.username}, unread direct message`) });
  await expect(entry).toBeVisible(LIVE);
  await expect(entry).toContainText('1');
  await screenshot(page, 'rail-unread-dm');
  await entry.click();
  await expect(page).toHaveURL(new RegExp(`/channels/@me/${dm.id}$`));
  await expect(messageContent(page, 'are you around?')).toBeVisible(LIVE);
  await expect(entry).toHaveCount(0, LIVE);
  await context.close();
});
