import type { Locator } from '@playwright/test';
import { expect, expectAccessible, screenshot, test } from '../support/fixtures';
import { ApiUser, composer, logInAs, messageContent } from '../support/chat';

/** A channel name at its maximum length, one word. */
const LONG_NAME = 'c'.repeat(100);
const LONG_DISPLAY_NAME = 'Wolfeschlegelsteinhausenbergerdorff';
const ARABIC_NAME = 'عربي';
/** A category name at its maximum length, in words (it would wrap). */
const LONG_CATEGORY = 'Everything about the long evenings we spend together, with room for all of it in one name'.padEnd(100, '!');

/** Nothing in the element runs past its right edge. */
async function expectFits(element: Locator) {
  const { scroll, client } = await element.evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

/** The element's "#" (or voice icon) stands left of its name, whatever the name's direction. */
async function expectMarkFirst(element: Locator, name: string) {
  const { mark, text } = await element.evaluate((e, name) => {
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    let node: Node | null;
    while ((node = walker.nextNode()) && !node.textContent!.includes(name));
    const range = document.createRange();
    range.selectNodeContents(node!);
    return { mark: e.querySelector('[aria-hidden="true"]')!.getBoundingClientRect().right, text: range.getBoundingClientRect().left };
  }, name);
  expect(mark).toBeLessThanOrEqual(text);
}

test('on a phone, the channel list opens from the menu and the chat fits the screen', async ({ browser, baseURL }) => {
  const owner = await ApiUser.register(baseURL!, 'mob');
  const server = await owner.call<{ id: string }>('POST', '/api/v1/servers', { name: 'Pocket' });
  await owner.call('POST', `/api/v1/servers/${server.id}/channels`, {
    name: 'random',
    type: 'text',
    topic: null,
    parentId: null,
    slowModeSeconds: 0,
  });
  await owner.call('POST', `/api/v1/servers/${server.id}/channels`, { name: LONG_NAME, type: 'text', topic: 'a topic '.repeat(20) });
  await owner.call('POST', `/api/v1/servers/${server.id}/channels`, { name: ARABIC_NAME, type: 'text' });
  const lounge = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/channels`, { name: 'Lounge', type: 'voice' });
  const category = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/channels`, {
    name: LONG_CATEGORY,
    type: 'category',
  });
  await owner.call('POST', `/api/v1/servers/${server.id}/channels`, { name: 'notes', type: 'text', parentId: category.id });
  await owner.call('PATCH', '/api/v1/users/@me', { displayName: LONG_DISPLAY_NAME });
  // Enough servers to overflow the rail: it scrolls, and every icon keeps its size rather than being squeezed.
  for (let i = 1; i <= 15; i++) await owner.call('POST', '/api/v1/servers', { name: `Club ${i}` });
  const { context, page } = await logInAs(browser, baseURL!, owner, { width: 390, height: 844 });
  const rail = page.getByRole('navigation', { name: 'Servers' });
  await expect(rail.getByRole('link', { name: /^Club / })).toHaveCount(15, { timeout: 10_000 });
  const heights = await rail.getByRole('link').evaluateAll((links) => links.map((l) => l.getBoundingClientRect().height));
  expect(heights).toEqual(heights.map(() => 48));
  await page.getByRole('link', { name: /^Pocket/ }).click();
  await expect(page.getByRole('heading', { name: 'general', exact: true })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole('complementary', { name: 'Channels' })).toBeHidden();

  // The channel list over the page closes as a phone's drawer does (it covers its own button, and stayed open until
  // another channel was picked): Escape, back to its button; a press beside it; the channel already open.
  const channelsButton = page.getByRole('button', { name: 'Channels' });
  const drawer = page.getByRole('complementary', { name: 'Channels' });
  await channelsButton.click();
  await expect(drawer).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(channelsButton).toBeFocused();
  await channelsButton.click();
  await page.getByTestId('drawer-backdrop').click({ position: { x: 280, y: 400 } });
  await expect(drawer).toBeHidden();
  await channelsButton.click();
  await drawer.getByRole('link', { name: 'general' }).click();
  await expect(drawer).toBeHidden();

  await page.getByRole('button', { name: 'Channels' }).click();
  // A category's name at its maximum is one line, cut short; the whole name is its tooltip and is read out.
  const categoryName = page.getByRole('complementary', { name: 'Channels' }).getByRole('heading', { name: LONG_CATEGORY });
  expect((await categoryName.boundingBox())!.height).toBeLessThan(20);
  await expect(categoryName).toHaveAttribute('title', LONG_CATEGORY);
  await page.getByRole('complementary', { name: 'Channels' }).getByRole('link', { name: 'random' }).click();
  await expect(page.getByRole('heading', { name: 'random', exact: true })).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'Channels' })).toBeHidden();

  // A channel name at its maximum: the header truncates it and keeps its buttons and search on screen, the
  // welcome line wraps, and the composer's placeholder stays one line.
  await page.getByRole('button', { name: 'Channels' }).click();
  await page.getByRole('complementary', { name: 'Channels' }).getByRole('link', { name: LONG_NAME }).click();
  await expect(page.getByRole('heading', { name: `Welcome to #${LONG_NAME}!` })).toBeVisible();
  await expectFits(page.locator('main header'));
  await expectFits(page.getByRole('heading', { name: `Welcome to #${LONG_NAME}!` }));
  expect((await composer(page).boundingBox())!.height).toBeLessThan(60);
  // The name has the room there is (at 360 px it had 114 px, at 390 px 144, beside a search box of 64 px): search is
  // a magnifier on the screen until it is tapped, and then spans the header.
  const channelName = page.getByRole('heading', { level: 1, name: LONG_NAME });
  const search = page.getByRole('combobox', { name: 'Search messages' });
  for (const [width, room] of [
    [360, 140],
    [390, 170],
  ]) {
    await page.setViewportSize({ width, height: 844 });
    await expectFits(page.locator('main header'));
    expect((await channelName.boundingBox())!.width).toBeGreaterThan(room);
    const box = (await search.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(width);
  }
  await search.click();
  expect((await search.boundingBox())!.width).toBeGreaterThan(250);
  await search.press('Escape');
  await search.blur();
  // The topic has no room in the header: the name opens it, whole and on the screen, and closes back to the name.
  const topic = 'a topic '.repeat(20).trim();
  await expect(page.locator('main header').getByText(topic)).toBeHidden();
  const nameButton = channelName.getByRole('button', { name: LONG_NAME });
  await expect(nameButton).toHaveAttribute('title', LONG_NAME);
  await nameButton.click();
  const details = page.getByRole('dialog', { name: `#${LONG_NAME}` });
  await expect(details.getByTestId('channel-topic')).toHaveText(topic);
  await expect(details).toBeInViewport({ ratio: 1 });
  await expectFits(details);
  await expectAccessible(page);
  await page.keyboard.press('Escape');
  await expect(details).toBeHidden();
  await expect(nameButton).toBeFocused();
  await page.keyboard.press('Enter');
  await details.getByRole('button', { name: 'Close' }).click();
  await expect(details).toBeHidden();
  // Beside a tablet's channel list too, the header keeps a readable part of the name (it was "# c…") and fits.
  await page.setViewportSize({ width: 768, height: 1024 });
  await expectFits(page.locator('main header'));
  expect((await page.getByRole('heading', { level: 1, name: LONG_NAME }).boundingBox())!.width).toBeGreaterThan(120);
  // Search results there lie over the conversation: beside it they left it 72 px, its header run into theirs.
  await page.getByRole('combobox', { name: 'Search messages' }).fill('nothing here');
  await page.getByRole('combobox', { name: 'Search messages' }).press('Enter');
  const results = page.getByRole('complementary', { name: 'Search results' });
  await expect(results.getByText('No results for “nothing here”.')).toBeVisible();
  await expectFits(page.locator('main header'));
  expect((await page.locator('main').boundingBox())!.width).toBeGreaterThan(400);
  await results.getByRole('button', { name: 'Close search results' }).click();
  await page.getByRole('combobox', { name: 'Search messages' }).fill('');
  await page.getByRole('combobox', { name: 'Search messages' }).blur();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Channels' }).click();
  await page.getByRole('complementary', { name: 'Channels' }).getByRole('link', { name: 'random' }).click();

  // The header has no room for its bell, pins and members buttons beside the name: a menu holds them. It opens with
  // the focus on its first item, the arrows move through it, and Escape closes it with the focus back on its button.
  for (const name of [/^Notification settings/, 'Pinned messages', 'Members']) {
    await expect(page.locator('main header').getByRole('button', { name })).toBeHidden();
  }
  const more = page.getByRole('button', { name: 'More options' });
  await more.click();
  const menu = page.getByRole('menu', { name: 'More options' });
  await expect(menu.getByRole('menuitem')).toHaveText(['Notification settings', 'Pinned messages', 'Members']);
  await expect(menu.getByRole('menuitem', { name: 'Notification settings' })).toBeFocused();
  await expectAccessible(page);
  await page.keyboard.press('End');
  await expect(menu.getByRole('menuitem', { name: 'Members' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Notification settings' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(more).toBeFocused();
  // Each item opens what its button opens, and the focus comes back to the menu's button.
  await page.keyboard.press('Enter');
  await menu.getByRole('menuitem', { name: 'Notification settings' }).press('Enter');
  await page.getByRole('dialog', { name: 'Notification settings' }).getByRole('button', { name: 'Done' }).click();
  await expect(more).toBeFocused();

  // The member list has no room beside the chat: the menu's Members opens it over the page.
  await expect(page.getByRole('complementary', { name: 'Members' })).toBeHidden();
  await more.click();
  await menu.getByRole('menuitem', { name: 'Members' }).click();
  const members = page.getByRole('dialog', { name: 'Members — 1' });
  await expect(members.getByTestId('member')).toHaveText([new RegExp(LONG_DISPLAY_NAME)]);
  const sheet = (await members.boundingBox())!;
  expect(sheet.x).toBeGreaterThanOrEqual(0);
  expect(sheet.x + sheet.width).toBeLessThanOrEqual(390);
  await screenshot(page, 'phone-members');
  await page.keyboard.press('Escape');
  await expect(members).toBeHidden();
  await expect(more).toBeFocused();

  await composer(page).fill('from my phone');
  await composer(page).press('Enter');
  await expect(messageContent(page, 'from my phone')).toHaveCount(1, { timeout: 10_000 });
  // The full reaction picker opens whole on the screen (the message list, narrower than it, cut off its left part and
  // its search), and a reaction picked there lands.
  const row = page.getByTestId('message-row').filter({ has: messageContent(page, 'from my phone') });
  await row.hover();
  await row.getByRole('button', { name: 'Add reaction' }).click();
  await page.getByRole('button', { name: 'More emoji' }).click();
  const picker = page.getByRole('region', { name: 'Pick a reaction' });
  await expect(picker.getByRole('searchbox', { name: 'Search emoji' })).toBeFocused();
  const pickerBox = (await picker.boundingBox())!;
  expect(pickerBox.x).toBeGreaterThanOrEqual(0);
  expect(pickerBox.x + pickerBox.width).toBeLessThanOrEqual(390);
  expect(pickerBox.y + pickerBox.height).toBeLessThanOrEqual(844);
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('tada');
  await picker.getByRole('button', { name: /^party popper/ }).click();
  await expect(row.getByRole('button', { name: '🎉 1 reaction' })).toBeVisible();
  // A name of one long word is cut in the message's header: the messages never scroll sideways.
  await expect(page.getByTestId('author-name').last()).toHaveText(LONG_DISPLAY_NAME);
  await expectFits(page.getByTestId('message-scroller'));
  // The author's card opens whole on the screen. (The name is tapped at its start: the message's action bar, shown
  // once the pointer is over the message, covers the header's right end.)
  await page
    .getByTestId('author-name')
    .last()
    .click({ position: { x: 10, y: 8 } });
  const card = (await page.getByTestId('profile-card').boundingBox())!;
  expect(card.x + card.width).toBeLessThanOrEqual(390);
  // Under the last message too it is whole (the list cut it off at its foot) and a press elsewhere closes it.
  await expect(page.getByTestId('profile-card')).toBeInViewport({ ratio: 1 });
  await page.getByRole('heading', { name: 'Welcome to #random!' }).click();
  await expect(page.getByTestId('profile-card')).toBeHidden();
  // On a tablet too, where it opens beside the message (it stayed open: a tablet has no Escape key).
  await page.setViewportSize({ width: 768, height: 1024 });
  await page
    .getByTestId('author-name')
    .last()
    .click({ position: { x: 10, y: 8 } });
  await expect(page.getByTestId('profile-card')).toBeVisible();
  await page.getByRole('heading', { name: 'Welcome to #random!' }).click();
  await expect(page.getByTestId('profile-card')).toBeHidden();
  await page.setViewportSize({ width: 390, height: 844 });
  await expectFits(page.getByTestId('message-scroller'));
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // Joining a voice channel shows the call's panel under the page, with why the microphone is missing: its place in the
  // folded channel list showed nothing at all.
  await page.goto(`/servers/${server.id}/channels/${lounge.id}`);
  await page.getByRole('button', { name: 'Join voice' }).click();
  const voice = page.getByRole('region', { name: 'Voice' });
  await expect(voice.getByText('Voice connected')).toBeInViewport();
  await expect(voice.getByRole('alert')).toContainText('No microphone was found');
  await expect(voice.getByRole('button', { name: 'Disconnect' })).toBeInViewport();
  await screenshot(page, 'phone-voice-panel');
  await voice.getByRole('button', { name: 'Dismiss' }).click();
  await voice.getByRole('button', { name: 'Disconnect' }).click();
  await expect(voice).toHaveCount(0);

  // An Arabic channel name keeps its "#" on the left, in the header and in the server's settings.
  await page.getByRole('button', { name: 'Channels' }).click();
  await page.getByRole('complementary', { name: 'Channels' }).getByRole('link', { name: ARABIC_NAME }).click();
  await expectMarkFirst(page.getByRole('heading', { level: 1, name: ARABIC_NAME }), ARABIC_NAME);
  await page.goto(`/servers/${server.id}/settings/channels`);
  await expectMarkFirst(
    page.locator(`[data-testid="settings-channel"][data-channel-name="${ARABIC_NAME}"]`).getByTestId('settings-channel-name'),
    ARABIC_NAME,
  );
  await context.close();
});

test('on a phone, Home is the conversation list: an unread DM is marked there, opens, and Home leads back to it', async ({
  browser,
  baseURL,
}) => {
  const me = await ApiUser.register(baseURL!, 'pho');
  const kim = await ApiUser.register(baseURL!, 'kim');
  const withKim = await kim.call<{ id: string }>('POST', '/api/v1/users/@me/channels', { recipientId: me.id });
  await kim.send(withKim.id, 'are you on your phone?');
  const group = await me.call<{ id: string }>('POST', '/api/v1/users/@me/group-channels', { recipientIds: [kim.id] });
  await me.call('PATCH', `/api/v1/channels/${group.id}/group`, { name: 'Bus crew' });
  // Someone with a server, so Home is not the first-run welcome.
  await me.createServer('Pocket');

  const { context, page } = await logInAs(browser, baseURL!, me, { width: 390, height: 844 });
  const list = page.getByRole('navigation', { name: 'Direct message list' });
  await expect(list).toBeVisible();
  await expect(list.getByRole('link', { name: `${kim.account.username}, unread` })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole('link', { name: 'Friends' })).toBeVisible();
  // Adding a friend has a field a username fits in (beside its button it showed "usernar").
  await page.getByRole('link', { name: 'Friends' }).click();
  expect((await page.getByLabel('Add friend by username').boundingBox())!.width).toBeGreaterThan(250);
  await page.goBack();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(page, 'phone-home-dm-list');

  await list.getByRole('link', { name: new RegExp(kim.account.username) }).click();
  await expect(messageContent(page, 'are you on your phone?')).toBeVisible({ timeout: 10_000 });
  await expect(list).toBeHidden();
  // The header's call button, menu and search fit beside the name.
  await expectFits(page.locator('main header'));
  // The pinned messages open from the menu, whole on the screen, with the focus in them and back on the menu after.
  const more = page.getByRole('button', { name: 'More options' });
  await more.click();
  await expect(page.getByRole('menu', { name: 'More options' }).getByRole('menuitem')).toHaveText([
    'Notification settings',
    'Pinned messages',
  ]);
  await page.getByRole('menuitem', { name: 'Pinned messages' }).click();
  const pinsPanel = page.getByRole('region', { name: 'Pinned messages' });
  await expect(pinsPanel).toBeFocused();
  const pins = (await pinsPanel.boundingBox())!;
  expect(pins.x).toBeGreaterThanOrEqual(0);
  expect(pins.x + pins.width).toBeLessThanOrEqual(390);
  expect(pins.y).toBeGreaterThanOrEqual((await page.locator('main header').boundingBox())!.height);
  await page.keyboard.press('Escape');
  await expect(pinsPanel).toBeHidden();
  await expect(more).toBeFocused();
  await composer(page).fill('yes, from the bus');
  await composer(page).press('Enter');
  await expect(messageContent(page, 'yes, from the bus')).toHaveCount(1, { timeout: 10_000 });

  await page.getByRole('link', { name: 'Home: direct messages' }).click();
  await expect(list.getByRole('link', { name: kim.account.username, exact: true })).toBeVisible();

  // A group's people, its settings and Leave group open from the header; leaving goes home with the sheet closed.
  await list.getByRole('link', { name: /^Bus crew/ }).click();
  // The group's name is shown whole beside the call button, the menu and search, on a phone and beside a tablet's
  // conversation list (where it was "@ …" and search ran off the screen).
  await expect(page.getByRole('heading', { level: 1, name: 'Bus crew' })).toBeVisible();
  await expectFits(page.getByRole('heading', { level: 1, name: 'Bus crew' }));
  await page.setViewportSize({ width: 768, height: 1024 });
  await expectFits(page.locator('main header'));
  await expectFits(page.getByRole('heading', { level: 1, name: 'Bus crew' }));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'More options' }).click();
  await page.getByRole('menuitem', { name: 'Group members' }).click();
  const people = page.getByRole('dialog', { name: 'Members — 2' });
  await expect(people.getByTestId('group-member')).toHaveCount(2);
  await expect(people.getByRole('button', { name: 'Group settings' })).toBeVisible();
  await screenshot(page, 'phone-group-members');
  await people.getByRole('button', { name: 'Leave group' }).click();
  await page.getByRole('alertdialog', { name: 'Leave this group?' }).getByRole('button', { name: 'Leave group' }).click();
  await expect(page).toHaveURL(/\/channels\/@me$/);
  await expect(people).toBeHidden();
  await expect(list.getByRole('link', { name: /^Bus crew/ })).toHaveCount(0);
  await context.close();
});
