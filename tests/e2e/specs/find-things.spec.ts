import { ApiUser, logInAs, messageContent } from '../support/chat';
import { expect, expectAccessible, screenshot, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

test('finding things: the quick switcher, Alt+arrows between channels and to unread ones, Esc marks read, the shortcuts sheet, the topic in the header', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const owner = await ApiUser.register(baseURL!, 'nav');
  const reader = await ApiUser.register(baseURL!, 'navr');
  const { server, general } = await owner.createServer('Navigation');
  await reader.joinServer(owner, server.id);
  const create = (name: string, topic: string | null = null) =>
    owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/channels`, { name, type: 'text', topic });
  const design = await create('design', 'Mockups and reviews');
  const quiet = await create('quiet');
  const ops = await create('ops-alerts');
  for (let i = 0; i < 60; i++) await owner.send(general.id, `backlog ${i}`);
  const { page, context } = await logInAs(browser, baseURL!, reader);
  const channelList = page.getByRole('navigation', { name: 'Channel list' });
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(messageContent(page, 'backlog 59')).toBeVisible(LIVE);
  // Something new arrives in #ops-alerts while the reader is in #general.
  await owner.send(ops.id, 'disk is filling up');
  await expect(channelList.getByRole('link', { name: 'ops-alerts, unread' })).toBeVisible(LIVE);

  // Ctrl+K, part of a name, Enter: there.
  await page.keyboard.press('Control+k');
  const switcher = page.getByRole('dialog', { name: 'Find or start a conversation' });
  const input = switcher.getByRole('combobox', { name: 'Where would you like to go?' });
  await expect(input).toBeFocused();
  // What waits for you comes first when nothing is typed.
  await expect(switcher.getByRole('option').first()).toContainText('ops-alerts');
  await input.fill('desi');
  await expect(switcher.getByRole('option', { selected: true })).toContainText('design');
  await screenshot(page, 'quick-switcher');
  await expectAccessible(page);
  await page.keyboard.press('Enter');
  await expect(switcher).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/channels/${design.id}$`));
  // The channel's topic sits in the header.
  await expect(page.locator('main header')).toContainText('Mockups and reviews');

  // Alt+↓ goes to the next channel in the sidebar's order; Alt+Shift+↓ skips to the next unread one.
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page).toHaveURL(new RegExp(`/channels/${quiet.id}$`));
  await page.keyboard.press('Alt+ArrowUp');
  await expect(page).toHaveURL(new RegExp(`/channels/${design.id}$`));
  await page.keyboard.press('Alt+Shift+ArrowDown');
  await expect(page).toHaveURL(new RegExp(`/channels/${ops.id}$`));
  await expect(messageContent(page, 'disk is filling up')).toBeVisible(LIVE);
  // Pressed quickly, each press moves on from where the last one went, not from the last screen drawn.
  await page.keyboard.press('Alt+ArrowUp');
  await page.keyboard.press('Alt+ArrowUp');
  await expect(page).toHaveURL(new RegExp(`/channels/${design.id}$`));
  await page.keyboard.press('Alt+ArrowDown');
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page).toHaveURL(new RegExp(`/channels/${ops.id}$`));

  // Esc marks the channel read while scrolled up in it (where reading alone would not), and the server keeps it.
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page).toHaveURL(new RegExp(`/channels/${general.id}$`));
  await expect(messageContent(page, 'backlog 59')).toBeVisible(LIVE);
  const box = (await page.getByRole('main').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -4000);
  await expect(messageContent(page, 'backlog 59')).not.toBeInViewport();
  await owner.send(general.id, 'news while you scroll');
  await expect(channelList.getByRole('link', { name: 'general, unread' })).toBeVisible(LIVE);
  await page.keyboard.press('Escape');
  await expect(channelList.getByRole('link', { name: 'general', exact: true })).toBeVisible(LIVE);
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page).toHaveURL(new RegExp(`/channels/${design.id}$`));
  await page.reload();
  await expect(channelList.getByRole('link', { name: 'design', exact: true })).toBeVisible(LIVE);
  await expect(channelList.getByRole('link', { name: 'general', exact: true })).toBeVisible();

  // Ctrl+/ lists the shortcuts.
  await page.keyboard.press('Control+/');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet).toContainText('Alt+Shift+↑');
  await expectAccessible(page);
  await screenshot(page, 'shortcuts-sheet');
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
  await context.close();
});

test('a copied message link opens the channel at that message for another member; the pinned panel lists, jumps to and unpins', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(60_000);
  const owner = await ApiUser.register(baseURL!, 'pin');
  const member = await ApiUser.register(baseURL!, 'pinm');
  const { server, general } = await owner.createServer('Pins');
  await member.joinServer(owner, server.id);
  const rules = await owner.send(general.id, 'the house rules: be kind');
  for (let i = 0; i < 60; i++) await owner.send(general.id, `chatter ${i}`);
  await owner.call('PUT', `/api/v1/channels/${general.id}/pins/${rules.id}`);

  const a = await logInAs(browser, baseURL!, owner);
  await a.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await a.page.goto(`/servers/${server.id}/channels/${general.id}`);
  const row = a.page.getByTestId('message-row').filter({ has: messageContent(a.page, 'chatter 59') });
  await row.hover();
  await row.getByRole('button', { name: 'Copy message link' }).click();
  await expect(row.getByRole('button', { name: 'Link copied' })).toBeVisible();
  const link = await a.page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(new RegExp(`/channels/${general.id}/\\d+$`));

  // The member opens the link and lands on the message in the channel.
  const b = await logInAs(browser, baseURL!, member);
  await b.page.goto(new URL(link).pathname);
  await expect(b.page).toHaveURL(new RegExp(`/servers/${server.id}/channels/${general.id}/\\d+$`), LIVE);
  await expect(b.page.locator('[data-message-id]:focus')).toContainText('chatter 59', LIVE);

  // The pinned panel: the old rules message is there; Jump opens the history at it.
  await b.page.getByRole('button', { name: 'Pinned messages' }).click();
  const panel = b.page.getByRole('region', { name: 'Pinned messages' });
  await expect(panel.getByTestId('pinned-message')).toHaveCount(1);
  await expect(panel).toContainText('the house rules: be kind');
  await expectAccessible(b.page);
  await screenshot(b.page, 'pinned-messages');
  await panel.getByRole('link', { name: 'Jump' }).click();
  await expect(b.page).toHaveURL(new RegExp(`/channels/${general.id}/${rules.id}$`));
  await expect(b.page.locator(`[data-message-id="${rules.id}"]`)).toBeVisible(LIVE);

  // The owner unpins from the panel; the member's open panel follows.
  await b.page.getByRole('button', { name: 'Pinned messages' }).click();
  await expect(panel.getByTestId('pinned-message')).toHaveCount(1);
  await a.page.getByRole('button', { name: 'Pinned messages' }).click();
  const ownerPanel = a.page.getByRole('region', { name: 'Pinned messages' });
  await ownerPanel.getByRole('button', { name: 'Unpin' }).click();
  await expect(ownerPanel).toContainText('This channel has no pinned messages yet.', LIVE);
  await expect(panel).toContainText('This channel has no pinned messages yet.', LIVE);
  // A member without Pin permission sees no Unpin.
  await expect(panel.getByRole('button', { name: 'Unpin' })).toHaveCount(0);
  await a.context.close();
  await b.context.close();
});
