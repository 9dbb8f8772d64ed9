import { expect, expectAccessible, screenshot, test } from '../support/fixtures';
import { ApiUser, composer, logInAs, messageContent } from '../support/chat';

const LIVE = { timeout: 10_000 };

test('an owner makes a private channel for one role: a member with it sees and uses it, one without never sees it', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const owner = await ApiUser.register(baseURL!, 'own');
  const crew = await ApiUser.register(baseURL!, 'crew');
  const guest = await ApiUser.register(baseURL!, 'gst');
  const { server } = await owner.createServer('Ship');
  await crew.joinServer(owner, server.id);
  await guest.joinServer(owner, server.id);
  const role = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/roles`, {
    name: 'Crew',
    permissions: '0',
    color: 0,
    mentionable: false,
  });
  await owner.call('PUT', `/api/v1/servers/${server.id}/members/${crew.id}/roles/${role.id}`);

  const g = await logInAs(browser, baseURL!, guest);
  await g.page.goto(`/servers/${server.id}`);
  const guestChannels = g.page.getByRole('navigation', { name: 'Channel list' });
  await expect(guestChannels.getByRole('link', { name: /^general/ })).toBeVisible(LIVE);
  // Watches every change to the guest's page from now on: the private channel's name must never be shown, not even for
  // a moment before a correction.
  await g.page.evaluate(() => {
    const w = window as unknown as { sawSecret: boolean };
    w.sawSecret = false;
    new MutationObserver(() => {
      if (document.body.textContent?.includes('crew-deck')) w.sawSecret = true;
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const c = await logInAs(browser, baseURL!, crew);
  await c.page.goto(`/servers/${server.id}`);
  await expect(c.page.getByRole('navigation', { name: 'Channel list' }).getByRole('link', { name: /^general/ })).toBeVisible(LIVE);

  const o = await logInAs(browser, baseURL!, owner);
  await o.page.goto(`/servers/${server.id}/settings/channels`);
  const form = o.page.getByRole('form', { name: 'Create a channel' });
  await form.getByLabel('Channel name').fill('crew-deck');
  await form.getByRole('checkbox', { name: 'Private channel' }).check();
  await form.getByRole('group', { name: 'Roles' }).getByRole('checkbox', { name: 'Crew' }).check();
  await screenshot(o.page, 'private-channel-create');
  await expectAccessible(o.page);
  await form.getByRole('button', { name: 'Create channel' }).click();
  await expect(o.page.getByRole('button', { name: 'Edit crew-deck' })).toBeVisible(LIVE);

  const crewLink = c.page.getByRole('navigation', { name: 'Channel list' }).getByRole('link', { name: /^crew-deck/ });
  await expect(crewLink).toBeVisible(LIVE);
  await crewLink.click();
  await composer(c.page).fill('all hands on deck');
  await composer(c.page).press('Enter');
  await expect(messageContent(c.page, 'all hands on deck')).toBeVisible(LIVE);
  await screenshot(c.page, 'private-channel-member-with-role');

  // A change to the private channel, then a public channel: once the guest shows the public one, every event before it
  // (the private channel's creation and its new topic) has reached the guest's client too.
  const channels = await owner.call<{ id: string; name: string }[]>('GET', `/api/v1/servers/${server.id}/channels`);
  const secret = channels.find((x) => x.name === 'crew-deck')!;
  await owner.call('PATCH', `/api/v1/channels/${secret.id}`, { topic: 'crew-deck plans' });
  await form.getByLabel('Channel name').fill('open-deck');
  await form.getByRole('checkbox', { name: 'Private channel' }).uncheck();
  await form.getByRole('button', { name: 'Create channel' }).click();
  await expect(guestChannels.getByRole('link', { name: /^open-deck/ })).toBeVisible(LIVE);
  await expect(guestChannels.getByRole('link', { name: /^crew-deck/ })).toHaveCount(0);
  expect(await g.page.evaluate(() => (window as unknown as { sawSecret: boolean }).sawSecret)).toBe(false);

  // By its address: the API answers 404 and the page says it cannot be seen.
  await expect(guest.call('GET', `/api/v1/channels/${secret.id}`)).rejects.toThrow(/: 404 /);
  await g.page.goto(`/servers/${server.id}/channels/${secret.id}`);
  await expect(g.page.getByText('This channel does not exist or you cannot see it.')).toBeVisible(LIVE);
  await expect(g.page.getByText('crew-deck')).toHaveCount(0);
  await screenshot(g.page, 'private-channel-member-without-role');
  await expectAccessible(g.page);
  for (const x of [o, c, g]) await x.context.close();
});

test('a channel dragged into a category with the mouse stays there after a reload, for everyone', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const owner = await ApiUser.register(baseURL!, 'own');
  const member = await ApiUser.register(baseURL!, 'mbr');
  const { server } = await owner.createServer('Dragged');
  await member.joinServer(owner, server.id);
  const lounge = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/channels`, {
    name: 'Lounge',
    type: 'category',
    slowModeSeconds: 0,
  });
  const chatter = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/channels`, {
    name: 'chatter',
    type: 'text',
    slowModeSeconds: 0,
  });

  const o = await logInAs(browser, baseURL!, owner);
  await o.page.goto(`/servers/${server.id}/settings/channels`);
  const target = o.page.getByRole('list', { name: 'Channels in Lounge' });
  await expect(target.getByText('No channels.', { exact: false })).toBeVisible(LIVE);
  const source = o.page.locator('[data-testid="settings-channel"][data-channel-name="chatter"]');
  const from = (await source.boundingBox())!;
  const to = (await target.boundingBox())!;
  // Real mouse events: press on the row, move in steps (the browser starts a drag after a few pixels), release over the category.
  await o.page.mouse.move(from.x + 10, from.y + from.height / 2);
  await o.page.mouse.down();
  await o.page.mouse.move(from.x + 20, from.y + from.height / 2 + 5, { steps: 5 });
  await o.page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 10 });
  await o.page.mouse.up();
  await expect(target.locator('[data-channel-name="chatter"]')).toBeVisible(LIVE);
  await expect
    .poll(async () => (await owner.call<{ parentId: string | null }>('GET', `/api/v1/channels/${chatter.id}`)).parentId, LIVE)
    .toBe(lounge.id);

  await o.page.reload();
  await expect(o.page.getByRole('list', { name: 'Channels in Lounge' }).locator('[data-channel-name="chatter"]')).toBeVisible(LIVE);
  await screenshot(o.page, 'channel-dragged-into-category');
  await expectAccessible(o.page);
  // On a phone the row's controls wrap below the name, which stays readable.
  await o.page.setViewportSize({ width: 390, height: 844 });
  const name = source.getByTestId('settings-channel-name');
  await expect(name).toHaveText('#chatter');
  expect(await name.getByText('chatter', { exact: true }).evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);

  const m = await logInAs(browser, baseURL!, member);
  await m.page.goto(`/servers/${server.id}`);
  const category = m.page.getByRole('navigation', { name: 'Channel list' }).getByRole('region', { name: 'Lounge' });
  await expect(category.getByRole('link', { name: /^chatter/ })).toBeVisible(LIVE);
  await m.page.reload();
  await expect(category.getByRole('link', { name: /^chatter/ })).toBeVisible(LIVE);
  for (const x of [o, m]) await x.context.close();
});

test('the owner hands the server over (asked for their password) and leaves; the new owner gets the owner controls', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const owner = await ApiUser.register(baseURL!, 'own');
  const heir = await ApiUser.register(baseURL!, 'heir');
  const { server } = await owner.createServer('Heirloom');
  await heir.joinServer(owner, server.id);

  const o = await logInAs(browser, baseURL!, owner);
  await o.page.goto(`/servers/${server.id}`);
  await o.page.getByRole('button', { name: 'Leave server' }).click();
  const leave = o.page.getByRole('dialog', { name: 'Leave Heirloom' });
  await expect(leave).toContainText('needs a new owner');
  await leave.getByRole('button', { name: 'Transfer ownership' }).click();

  const transfer = o.page.getByRole('dialog', { name: 'Transfer Heirloom' });
  await transfer.getByLabel('New owner').selectOption(heir.id);
  await transfer.getByLabel('Your password').fill('not my password');
  await transfer.getByRole('button', { name: 'Transfer and leave' }).click();
  await expect(transfer.getByRole('alert')).toContainText(/password is incorrect/i, LIVE);
  expect((await heir.call<{ ownerId: string }>('GET', `/api/v1/servers/${server.id}`)).ownerId).toBe(owner.id);
  await screenshot(o.page, 'transfer-wrong-password');
  await expectAccessible(o.page);

  await transfer.getByLabel('Your password').fill(owner.account.password);
  await transfer.getByRole('button', { name: 'Transfer and leave' }).click();
  await expect(o.page.getByRole('link', { name: /^Heirloom/ })).toHaveCount(0, LIVE);
  expect((await heir.call<{ ownerId: string }>('GET', `/api/v1/servers/${server.id}`)).ownerId).toBe(heir.id);

  const h = await logInAs(browser, baseURL!, heir);
  await h.page.goto(`/servers/${server.id}`);
  await h.page.getByRole('link', { name: 'Server settings' }).click();
  await expect(h.page.getByRole('button', { name: 'Transfer ownership' })).toBeVisible(LIVE);
  await expect(h.page.getByRole('button', { name: 'Delete server' })).toBeVisible();
  await screenshot(h.page, 'new-owner-controls');
  for (const x of [o, h]) await x.context.close();
});

test('the owner picks a system channel in Overview, and whoever joins next is welcomed there', async ({ browser, baseURL }) => {
  const owner = await ApiUser.register(baseURL!, 'sys');
  const newcomer = await ApiUser.register(baseURL!, 'new');
  const { server, general } = await owner.createServer('Harbour');

  const o = await logInAs(browser, baseURL!, owner);
  await o.page.goto(`/servers/${server.id}/settings/overview`);
  const systemChannel = o.page.getByRole('combobox', { name: 'System channel' });
  await expect(systemChannel).toHaveValue('');
  await systemChannel.selectOption({ label: '#general' });
  await o.page.getByRole('button', { name: 'Save changes' }).click();
  await expect(o.page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await expectAccessible(o.page);

  await o.page.goto(`/servers/${server.id}/channels/${general.id}`);
  await newcomer.joinServer(owner, server.id);
  const line = o.page.getByTestId('system-line').filter({ hasText: `${newcomer.account.username} joined the server.` });
  await expect(line).toBeVisible(LIVE);
  await screenshot(o.page, 'server-system-channel-join');

  // The newcomer reads the same line in the channel's history; the settings remember the choice.
  const n = await logInAs(browser, baseURL!, newcomer);
  await n.page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(n.page.getByTestId('system-line').filter({ hasText: 'joined the server.' })).toBeVisible(LIVE);
  await o.page.goto(`/servers/${server.id}/settings/overview`);
  await expect(o.page.getByRole('combobox', { name: 'System channel' })).toHaveValue(general.id);
  await o.context.close();
  await n.context.close();
});

test('bans and invites are listed with who and why, unban and revoke take effect, and the audit log pages back', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const owner = await ApiUser.register(baseURL!, 'lists');
  const troll = await ApiUser.register(baseURL!, 'troll');
  const { server } = await owner.createServer('Lists');
  await troll.joinServer(owner, server.id);
  await owner.call('PUT', `/api/v1/servers/${server.id}/bans/${troll.id}`, { reason: 'spam links' });
  const invite = await owner.call<{ code: string }>('POST', `/api/v1/servers/${server.id}/invites`, {
    maxUses: 5,
    maxAgeSeconds: 86_400,
    temporary: false,
  });
  // More audit entries than one page holds (50).
  for (let i = 1; i <= 50; i++) await owner.call('PATCH', `/api/v1/servers/${server.id}`, { description: `Version ${i}` });

  const { page, context } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/settings/bans`);
  const banned = page.getByRole('list', { name: 'Banned users' }).getByRole('listitem');
  await expect(banned).toHaveCount(1, LIVE);
  await expect(banned).toContainText(`@${troll.account.username}`);
  await expect(banned).toContainText('Reason: spam links');
  await expectAccessible(page);
  await page.getByRole('button', { name: `Unban ${troll.account.username}` }).click();
  await expect(page.getByText('Nobody is banned.')).toBeVisible(LIVE);
  await troll.joinServer(owner, server.id); // the unban took effect

  await page.goto(`/servers/${server.id}/settings/invites`);
  const row = page.getByRole('list', { name: 'Active invites' }).getByRole('listitem').filter({ hasText: invite.code });
  await expect(row).toContainText('0 of 5 uses', LIVE);
  await expect(row).toContainText(`by ${owner.account.username}`);
  await page.getByRole('button', { name: `Revoke invite ${invite.code}` }).click();
  await page.getByRole('alertdialog', { name: 'Revoke invite' }).getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toHaveCount(0, LIVE);
  const outsider = await ApiUser.register(baseURL!, 'late');
  await expect(outsider.call('POST', `/api/v1/invites/${invite.code}/join`)).rejects.toThrow(/410 .*invite_revoked/);

  await page.goto(`/servers/${server.id}/settings/audit-log`);
  const entries = page.getByRole('list', { name: 'Audit log entries' }).getByTestId('audit-entry');
  await expect(entries).toHaveCount(50, LIVE);
  await expect(entries.filter({ hasText: '→ Version 50' })).toHaveCount(1);
  await expect(entries.filter({ hasText: '— → Version 1' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Load older entries' }).click();
  await expect(entries.nth(50)).toBeVisible(LIVE);
  // The older page reaches back past the first edit to the ban, and nothing is listed twice.
  await expect(entries.filter({ hasText: '— → Version 1' })).toHaveCount(1);
  await expect(entries.filter({ hasText: 'spam links' })).toHaveCount(1);
  await expect(entries.filter({ hasText: '→ Version 50' })).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Load older entries' })).toBeHidden();
  await screenshot(page, 'audit-log-older');
  await context.close();
});

test('channels reorder from the keyboard, and the owner deletes the server only once its name is typed', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const owner = await ApiUser.register(baseURL!, 'kbd');
  const member = await ApiUser.register(baseURL!, 'mbr');
  const { server } = await owner.createServer('Doomed Club');
  await member.joinServer(owner, server.id);
  await owner.call('POST', `/api/v1/servers/${server.id}/channels`, { name: 'second', type: 'text', slowModeSeconds: 0 });
  const o = await logInAs(browser, baseURL!, owner);
  const m = await logInAs(browser, baseURL!, member);
  await m.page.goto(`/servers/${server.id}`);
  const memberChannels = m.page.getByRole('navigation', { name: 'Channel list' }).getByRole('link');
  await expect(memberChannels).toHaveText([/general$/, /second$/], LIVE);

  await o.page.goto(`/servers/${server.id}/settings/channels`);
  // Focus and key in one step on the button itself: a re-render between a separate focus() and a page-level press
  // would send Enter to whatever had the focus then.
  await o.page.getByRole('button', { name: 'Move second up' }).press('Enter');
  // Everyone's sidebar follows (ChannelUpdated), and the new order is what the server keeps.
  await expect(memberChannels).toHaveText([/second$/, /general$/], LIVE);
  await o.page.reload();
  await expect(o.page.getByTestId('settings-channel')).toHaveText([/second/, /general/], LIVE);

  await o.page.goto(`/servers/${server.id}/settings/overview`);
  await o.page.getByRole('button', { name: 'Delete server' }).click();
  const dialog = o.page.getByRole('alertdialog', { name: 'Delete Doomed Club' });
  const confirm = dialog.getByRole('button', { name: 'Delete server' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel("Type the server's name to confirm").fill('Doomed club');
  await expect(confirm).toBeDisabled();
  await expectAccessible(o.page);
  await dialog.getByLabel("Type the server's name to confirm").fill('Doomed Club');
  await o.page.keyboard.press('Enter');
  await expect(o.page).toHaveURL(/\/channels\/@me|\/$/, LIVE);
  await expect(m.page.getByRole('link', { name: 'Doomed Club' })).toHaveCount(0, LIVE);
  await expect(owner.call('GET', `/api/v1/servers/${server.id}`)).rejects.toThrow(/404/);
  for (const x of [o, m]) await x.context.close();
});

test('a voice channel’s user limit is set in its settings', async ({ browser, baseURL }) => {
  const owner = await ApiUser.register(baseURL!, 'limit');
  const { server } = await owner.createServer('Limited');
  const voice = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/channels`, {
    name: 'Huddle',
    type: 'voice',
    slowModeSeconds: 0,
  });
  const { page, context } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/settings/channels`);
  await page.getByRole('button', { name: 'Edit Huddle' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit Huddle' });
  await expect(dialog.getByLabel('User limit')).toHaveValue('0');
  await dialog.getByLabel('User limit').fill('4');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden(LIVE);
  expect((await owner.call<{ userLimit: number }>('GET', `/api/v1/channels/${voice.id}`)).userLimit).toBe(4);
  await context.close();
});

test('a role given and taken shows its private channel and hides it again, live, without a reconnect', async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const owner = await ApiUser.register(baseURL!, 'rfown');
  const member = await ApiUser.register(baseURL!, 'rfmem');
  const { server } = await owner.createServer('Refreshing');
  await member.joinServer(owner, server.id);
  const role = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/roles`, {
    name: 'Crew',
    permissions: '0',
    color: 0,
    mentionable: false,
  });
  const view = String(1 << 10);
  await owner.call('POST', `/api/v1/servers/${server.id}/channels`, {
    name: 'crew-only',
    type: 'text',
    permissionOverwrites: [
      { targetType: 'role', targetId: server.id, allow: '0', deny: view },
      { targetType: 'role', targetId: role.id, allow: view, deny: '0' },
    ],
  });

  const m = await logInAs(browser, baseURL!, member);
  await m.page.goto(`/servers/${server.id}`);
  const channels = m.page.getByRole('navigation', { name: 'Channel list' });
  await expect(channels.getByRole('link', { name: /^general/ })).toBeVisible(LIVE);
  await expect(channels.getByRole('link', { name: /^crew-only/ })).toHaveCount(0);
  let sockets = 0;
  m.page.on('websocket', () => sockets++);

  await owner.call('PUT', `/api/v1/servers/${server.id}/members/${member.id}/roles/${role.id}`);
  await channels.getByRole('link', { name: /^crew-only/ }).click(LIVE);
  await expect(m.page.getByRole('heading', { level: 1, name: /crew-only/ })).toBeVisible(LIVE);
  await composer(m.page).fill('made it in');
  await composer(m.page).press('Enter');
  await expect(messageContent(m.page, 'made it in')).toBeVisible(LIVE);

  await owner.call('DELETE', `/api/v1/servers/${server.id}/members/${member.id}/roles/${role.id}`);
  await expect(channels.getByRole('link', { name: /^crew-only/ })).toHaveCount(0, LIVE);
  // The same gateway connection throughout: a permission change is a refresh, not a reconnect.
  expect(sockets).toBe(0);
  await m.context.close();
});
