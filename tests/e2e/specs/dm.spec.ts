import { expect, test } from '../support/fixtures';
import { ApiUser, composer, logInAs, messageContent } from '../support/chat';

const LIVE = { timeout: 10_000 };

test('DMs are listed latest first, a profile opens a DM, and a group DM can be started from them', async ({ browser, baseURL }) => {
  const me = await ApiUser.register(baseURL!, 'me');
  const kim = await ApiUser.register(baseURL!, 'kim');
  const lee = await ApiUser.register(baseURL!, 'lee');
  const withKim = await kim.call<{ id: string }>('POST', '/api/v1/users/@me/channels', { recipientId: me.id });
  await kim.send(withKim.id, 'first from kim');

  const { context, page } = await logInAs(browser, baseURL!, me);
  // A profile's "Message" button opens the DM with that person.
  await page.goto(`/users/${lee.id}`);
  await page.getByRole('button', { name: 'Message' }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(lee.account.username) })).toBeVisible(LIVE);
  await composer(page).fill('hello lee');
  await composer(page).press('Enter');
  await expect(page.locator('[data-testid=message-row][data-state=sent]')).toHaveCount(1, LIVE);

  const list = page.getByRole('navigation', { name: 'Direct message list' }).getByRole('link');
  await expect(list).toHaveCount(2, LIVE);
  await expect(list.first()).toHaveAccessibleName(new RegExp(lee.account.username));
  // Kim writes again: Kim's conversation moves to the top, marked unread.
  await kim.send(withKim.id, 'kim again');
  await expect(list.first()).toHaveAccessibleName(new RegExp(`${kim.account.username}, unread`), LIVE);

  await page.getByRole('button', { name: 'Create a group DM' }).click();
  await page.getByRole('checkbox', { name: kim.account.username }).check();
  await page.getByRole('checkbox', { name: lee.account.username }).check();
  await page.getByLabel('Group name').fill('Trio');
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Trio/ })).toBeVisible(LIVE);
  await composer(page).fill('welcome to the trio');
  await composer(page).press('Enter');
  await expect(messageContent(page, 'welcome to the trio')).toHaveCount(1, LIVE);
  const groups = await lee.call<{ id: string; name: string | null }[]>('GET', '/api/v1/users/@me/channels');
  const trio = groups.find((g) => g.name === 'Trio')!;
  await expect
    .poll(async () => (await lee.call<{ content: string }[]>('GET', `/api/v1/channels/${trio.id}/messages`)).map((m) => m.content), LIVE)
    .toContain('welcome to the trio');
  await context.close();
});
