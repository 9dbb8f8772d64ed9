import { expect, test, expectAccessible, screenshot, homeHeading } from '../support/fixtures';
import { ApiUser, browserUser, composer, logInAs, messageContent } from '../support/chat';

const LIVE = { timeout: 10_000 };

test.describe('chat', () => {
  test('two people meet on a server through an invite, chat live, react, edit, delete, reply, and DM', async ({ browser, baseURL }) => {
    test.setTimeout(120_000);
    const ann = await browserUser(browser, baseURL!, 'ann');
    const bob = await browserUser(browser, baseURL!, 'bob');
    const a = ann.page;
    const b = bob.page;

    // Ann creates a server and an invite.
    await a.getByRole('button', { name: 'Add a server' }).click();
    await a.getByLabel('Server name').fill('Kama Club');
    await a.getByRole('button', { name: 'Create server' }).click();
    await expect(a.getByRole('heading', { name: 'general', exact: true })).toBeVisible(LIVE);
    await a.getByRole('link', { name: 'Server settings' }).click();
    await a.getByRole('navigation', { name: 'Server settings' }).getByRole('link', { name: 'Invites' }).click();
    await a.getByRole('button', { name: 'Create invite link' }).click();
    const link = await a.getByLabel('Invite link').inputValue();
    expect(link).toMatch(/\/invite\/[\w-]+$/);
    await screenshot(a, 'server-settings');
    await a.getByRole('link', { name: 'Back to chat' }).click();

    // Bob follows the link and joins.
    await b.goto(new URL(link).pathname);
    await expect(b.getByRole('heading', { name: 'Kama Club' })).toBeVisible();
    await b.getByRole('button', { name: 'Accept invite' }).click();
    await expect(b.getByRole('heading', { name: 'general', exact: true })).toBeVisible(LIVE);
    await expect(a.getByTestId('member')).toHaveCount(2, LIVE);

    // They chat; each sees the other's message without reloading.
    await composer(a).fill('hello from ann');
    await composer(a).press('Enter');
    await expect(messageContent(b, 'hello from ann')).toHaveCount(1, LIVE);
    await composer(b).fill('hi ann, **bob** here');
    await composer(b).press('Enter');
    await expect(messageContent(a, 'hi ann, bob here')).toHaveCount(1, LIVE);
    await expect(a.locator('strong', { hasText: 'bob' })).toBeVisible();

    // Bob reacts to Ann's message; Ann sees the count.
    const annRowOnBob = b.getByTestId('message-row').filter({ has: messageContent(b, 'hello from ann') });
    await annRowOnBob.hover();
    await annRowOnBob.getByRole('button', { name: 'Add reaction' }).click();
    await b.getByRole('button', { name: 'React with 👍' }).click();
    const annRowOnAnn = a.getByTestId('message-row').filter({ has: messageContent(a, 'hello from ann') });
    await expect(annRowOnAnn.getByRole('button', { name: '👍 1 reaction' })).toBeVisible(LIVE);
    await annRowOnAnn.getByRole('button', { name: '👍 1 reaction' }).click();
    await expect(annRowOnBob.getByRole('button', { name: '👍 2 reactions' })).toBeVisible(LIVE);

    // Ann edits her message (Up on the empty composer), and Bob sees "(edited)".
    await composer(a).click();
    await composer(a).press('ArrowUp');
    const edit = a.getByRole('textbox', { name: 'Edit message' });
    await edit.fill('hello from ann, edited');
    await edit.press('Enter');
    await expect(messageContent(b, 'hello from ann, edited')).toHaveCount(1, LIVE);
    await expect(b.getByTestId('message-content').filter({ hasText: '(edited)' })).toHaveCount(1);

    // Bob replies to it; Ann sees the quote.
    const edited = b.getByTestId('message-row').filter({ has: messageContent(b, 'hello from ann, edited') });
    await edited.hover();
    await edited.getByRole('button', { name: 'Reply' }).click();
    await composer(b).fill('a reply');
    await composer(b).press('Enter');
    const reply = a.getByTestId('message-row').filter({ has: messageContent(a, 'a reply') });
    await expect(reply.getByTestId('reply-quote')).toContainText('hello from ann, edited', LIVE);

    // Bob deletes his own message; it disappears for Ann.
    await composer(b).fill('oops, wrong channel');
    await composer(b).press('Enter');
    await expect(messageContent(a, 'oops, wrong channel')).toHaveCount(1, LIVE);
    const oops = b.getByTestId('message-row').filter({ has: messageContent(b, 'oops, wrong channel') });
    await oops.hover();
    await oops.getByRole('button', { name: 'Delete' }).click();
    await b.getByRole('alertdialog', { name: 'Delete message' }).getByRole('button', { name: 'Delete' }).click();
    await expect(messageContent(a, 'oops, wrong channel')).toHaveCount(0, LIVE);
    await expect(messageContent(b, 'oops, wrong channel')).toHaveCount(0);

    await screenshot(a, 'chat-view');
    await expectAccessible(a);

    // Bob opens a DM with Ann from the member list; Ann gets it live.
    await b
      .getByRole('complementary', { name: 'Members' })
      .getByRole('button', { name: new RegExp(ann.account.username) })
      .click();
    await b.getByRole('button', { name: 'Message', exact: true }).click();
    await expect(b.getByRole('heading', { level: 1, name: new RegExp(ann.account.username) })).toBeVisible(LIVE);
    await composer(b).fill('psst, a secret');
    await composer(b).press('Enter');
    await expect(messageContent(b, 'psst, a secret')).toHaveCount(1, LIVE);
    await a.getByRole('link', { name: 'Home: direct messages' }).click();
    await a
      .getByRole('navigation', { name: 'Direct message list' })
      .getByRole('link', { name: new RegExp(bob.account.username) })
      .click();
    await expect(messageContent(a, 'psst, a secret')).toHaveCount(1, LIVE);
    await composer(a).fill('my lips are sealed');
    await composer(a).press('Enter');
    await expect(messageContent(b, 'my lips are sealed')).toHaveCount(1, LIVE);
    await screenshot(a, 'dm-view');

    await ann.context.close();
    await bob.context.close();
  });

  test('a reader who was offline sees every message sent meanwhile exactly once', async ({ browser, baseURL }) => {
    test.setTimeout(120_000);
    const owner = await ApiUser.register(baseURL!, 'own');
    const reader = await ApiUser.register(baseURL!, 'rdr');
    const { server, general } = await owner.createServer('Offline test');
    await reader.joinServer(owner, server.id);

    const { context, page } = await logInAs(browser, baseURL!, reader, { width: 1280, height: 1600 });
    await page.goto(`/servers/${server.id}/channels/${general.id}`);
    await owner.send(general.id, 'before going offline');
    await expect(messageContent(page, 'before going offline')).toHaveCount(1, LIVE);

    await context.setOffline(true);
    await expect(page.getByRole('status').filter({ hasText: /Reconnecting…|Connection lost/ })).toBeVisible({ timeout: 40_000 });
    for (let i = 1; i <= 20; i++) await owner.send(general.id, `while away ${String(i).padStart(2, '0')}`);
    await context.setOffline(false);
    await expect(page.getByRole('status').filter({ hasText: 'Connection restored' })).toBeVisible(LIVE);

    for (let i = 1; i <= 20; i++)
      await expect(messageContent(page, `while away ${String(i).padStart(2, '0')}`)).toHaveCount(1, { timeout: 20_000 });
    await expect(page.getByTestId('message-content').filter({ hasText: /^while away \d\d$/ })).toHaveCount(20);
    await context.close();
  });

  test('someone who leaves a server can no longer open its channels', async ({ browser, baseURL }) => {
    const owner = await ApiUser.register(baseURL!, 'own');
    const leaver = await ApiUser.register(baseURL!, 'lvr');
    const { server, general } = await owner.createServer('Leaving test');
    await leaver.joinServer(owner, server.id);
    await owner.send(general.id, 'members only');

    const { context, page } = await logInAs(browser, baseURL!, leaver);
    await page.goto(`/servers/${server.id}/channels/${general.id}`);
    await expect(messageContent(page, 'members only')).toHaveCount(1, LIVE);
    // Leaving asks first, in the page's own dialog.
    await page.getByRole('button', { name: 'Leave server' }).click();
    await page
      .getByRole('alertdialog', { name: /^Leave / })
      .getByRole('button', { name: 'Leave server' })
      .click();
    await expect(homeHeading(page)).toBeVisible(LIVE);
    await expect(page.getByRole('link', { name: /Leaving test/ })).toHaveCount(0);

    await page.goto(`/servers/${server.id}/channels/${general.id}`);
    await expect(page.getByRole('heading', { name: 'Server not found' })).toBeVisible(LIVE);
    await expect(messageContent(page, 'members only')).toHaveCount(0);
    await context.close();
  });
});
