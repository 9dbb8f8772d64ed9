import { expect, expectAccessible, screenshot, test } from '../support/fixtures';
import { ApiUser, composer, logInAs, messageContent } from '../support/chat';

const LIVE = { timeout: 10_000 };

test('two people become friends in the Friends view, one blocks the other, and the blocked one’s DM fails with a clear message', async ({
  browser,
  baseURL,
}) => {
  // Two people, many steps, on a machine shared with other builds.
  test.setTimeout(90_000);
  const ada = await ApiUser.register(baseURL!, 'ada');
  const ben = await ApiUser.register(baseURL!, 'ben');
  // A server they share, where Ada has said something before Ben blocks her.
  const { server, general } = await ben.createServer('Book club');
  await ada.joinServer(ben, server.id);
  await ada.send(general.id, 'see you all on Thursday');

  const a = await logInAs(browser, baseURL!, ada);
  const b = await logInAs(browser, baseURL!, ben);

  // Ada asks Ben by username.
  await a.page.getByRole('link', { name: 'Friends' }).click();
  await expect(a.page.getByRole('heading', { level: 1, name: 'Friends' })).toBeVisible();
  await a.page.getByLabel('Add friend by username').fill('nobody_by_this_name');
  await a.page.getByRole('button', { name: 'Send friend request' }).click();
  await expect(a.page.getByText('Nobody has that username. Check the spelling and try again.')).toBeVisible(LIVE);
  await a.page.getByLabel('Add friend by username').fill(ben.account.username);
  await a.page.getByRole('button', { name: 'Send friend request' }).click();
  await expect(a.page.getByText(`Friend request sent to @${ben.account.username}.`)).toBeVisible(LIVE);
  await a.page.getByRole('tab', { name: 'Pending' }).click();
  await expect(a.page.getByTestId('friend-row')).toContainText('Outgoing friend request');

  // Ben sees it arrive (the gateway tells him), and accepts.
  await b.page.getByRole('link', { name: /Friends/ }).click();
  await expect(b.page.getByRole('link', { name: /1 friend request waiting/ })).toBeVisible(LIVE);
  await b.page.getByRole('tab', { name: /Pending/ }).click();
  await expect(b.page.getByTestId('friend-row')).toContainText('Incoming friend request');
  await expectAccessible(b.page);
  await screenshot(b.page, 'friends-pending');
  // On a phone the name keeps its line: Accept and Decline wrap below it rather than cut it to "ada…".
  const desktop = b.page.viewportSize()!;
  await b.page.setViewportSize({ width: 390, height: 844 });
  const name = b.page.getByTestId('friend-row').getByText(ada.account.username, { exact: true });
  expect(await name.evaluate((e) => e.scrollWidth - e.clientWidth)).toBe(0);
  await b.page.setViewportSize(desktop);
  await b.page.getByRole('button', { name: `Accept ${ada.account.username}` }).click();
  await b.page.getByRole('tab', { name: 'Online' }).click();
  await expect(b.page.getByTestId('friend-row')).toContainText('Online', LIVE);

  // Ada's list follows live; she opens the DM from it and writes.
  await a.page.getByRole('tab', { name: 'All' }).click();
  await expect(a.page.getByTestId('friend-row')).toContainText(ben.account.username, LIVE);
  await a.page.getByRole('tab', { name: 'Online' }).click();
  await expect(a.page.getByTestId('friend-row')).toContainText('Online', LIVE);
  await screenshot(a.page, 'friends-online');
  await a.page.getByRole('button', { name: `Message ${ben.account.username}` }).click();
  await composer(a.page).fill('hello ben');
  await composer(a.page).press('Enter');
  await expect(a.page.locator('[data-testid=message-row][data-state=sent]')).toHaveCount(1, LIVE);

  // Ben blocks Ada from her profile, through a labelled dialog.
  await b.page.goto(`/users/${ada.id}`);
  await b.page.getByRole('button', { name: 'Block' }).click();
  const dialog = b.page.getByRole('alertdialog', { name: `Block ${ada.account.username}?` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expectAccessible(b.page);
  await screenshot(b.page, 'friends-block-dialog');
  await b.page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await b.page.getByRole('button', { name: 'Block' }).click();
  await dialog.getByRole('button', { name: 'Block' }).click();
  await expect(b.page.getByRole('button', { name: 'Unblock' })).toBeVisible(LIVE);

  // Ada's next message does not go through, and the conversation says why.
  await expect(a.page.getByRole('heading', { level: 1, name: new RegExp(ben.account.username) })).toBeVisible();
  await composer(a.page).fill('are you there?');
  await composer(a.page).press('Enter');
  await expect(a.page.getByRole('alert').filter({ hasText: 'This user is not accepting direct messages from you.' })).toBeVisible(LIVE);
  await expect(a.page.locator('[data-testid=message-row][data-state=failed]')).toHaveCount(1);
  await screenshot(a.page, 'friends-dm-refused');
  // She is no longer his friend; she is not told she was blocked.
  await a.page.goto('/friends');
  await a.page.getByRole('tab', { name: 'All' }).click();
  await expect(a.page.getByText('No friends yet.')).toBeVisible(LIVE);

  // In the server they share, Ada's message is collapsed for Ben until he asks to see it.
  await b.page.goto(`/servers/${server.id}/channels/${general.id}`);
  const collapsed = b.page.locator('[data-testid=message-row][data-state=blocked]');
  await expect(collapsed).toContainText('Blocked message', LIVE);
  await expect(messageContent(b.page, 'see you all on Thursday')).toHaveCount(0);
  await collapsed.getByRole('button', { name: 'Show' }).click();
  await expect(messageContent(b.page, 'see you all on Thursday')).toHaveCount(1);

  // The Blocked tab lists her, and unblocking there lets her write again.
  await b.page.goto('/friends');
  await b.page.getByRole('tab', { name: 'Blocked' }).click();
  await expect(b.page.getByTestId('friend-row')).toContainText(ada.account.username);
  await b.page.getByRole('button', { name: `Unblock ${ada.account.username}` }).click();
  await expect(b.page.getByText('You have not blocked anyone.')).toBeVisible(LIVE);
  const dms = await ada.call<{ id: string }[]>('GET', '/api/v1/users/@me/channels');
  await ada.send(dms[0]!.id, 'back again');

  await a.context.close();
  await b.context.close();
});

test('privacy settings choose who may DM you and send you friend requests', async ({ browser, baseURL }) => {
  const cat = await ApiUser.register(baseURL!, 'cat');
  const dev = await ApiUser.register(baseURL!, 'dev');
  const { server } = await cat.createServer('Quiet place');
  await dev.joinServer(cat, server.id);
  const { context, page } = await logInAs(browser, baseURL!, cat);

  await page.goto('/settings/privacy');
  // Each checkbox shows its new state once the save's optimistic update has run (a microtask after the click), so
  // the test clicks and then awaits the state rather than using uncheck(), which checks it at once.
  await expect(page.getByRole('heading', { name: 'Privacy & safety' })).toBeVisible();
  const saved = () =>
    cat.call<{ allowDmsFromServerMembers: boolean; friendRequests: Record<string, boolean>; servers: unknown[] }>(
      'GET',
      '/api/v1/users/@me/privacy',
    );
  await page.getByRole('checkbox', { name: /Allow direct messages from server members/ }).click();
  await expect(page.getByRole('checkbox', { name: /Allow direct messages from server members/ })).not.toBeChecked();
  await expect(page.getByText('Saved.')).toBeVisible(LIVE);
  await page.getByRole('checkbox', { name: /^Everyone/ }).click();
  await expect(page.getByRole('checkbox', { name: /^Everyone/ })).not.toBeChecked();
  await expect.poll(async () => (await saved()).friendRequests.everyone, LIVE).toBe(false);
  await page.getByRole('checkbox', { name: /^Friends of friends/ }).click();
  await expect(page.getByRole('checkbox', { name: /^Friends of friends/ })).not.toBeChecked();
  await expect
    .poll(async () => (await saved()).friendRequests, LIVE)
    .toEqual({ everyone: false, friendsOfFriends: false, serverMembers: true });
  await expect(page.getByRole('checkbox', { name: /^Server members/ })).toBeChecked();
  expect((await saved()).allowDmsFromServerMembers).toBe(false);
  await expectAccessible(page);
  await screenshot(page, 'settings-privacy');

  // As chosen: Dev (a server member, not a friend) may not DM Cat, but may still ask to be friends.
  await expect(dev.call('POST', '/api/v1/users/@me/channels', { recipientId: cat.id })).rejects.toThrow(/403.*cannot_message_user/);
  await dev.call('POST', '/api/v1/users/@me/relationships', { username: cat.account.username });
  // The server's own choice overrides the default.
  await page.getByRole('combobox').selectOption('allow');
  await expect.poll(async () => (await saved()).servers, LIVE).toEqual([{ serverId: server.id, allowDms: true }]);
  await dev.call('POST', '/api/v1/users/@me/channels', { recipientId: cat.id });
  await context.close();
});
