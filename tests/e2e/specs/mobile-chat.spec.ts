import { expect, test } from '../support/fixtures';
import { ApiUser, composer, logInAs, messageContent } from '../support/chat';

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
  const { context, page } = await logInAs(browser, baseURL!, owner, { width: 390, height: 844 });
  await page.getByRole('link', { name: /^Pocket/ }).click();
  await expect(page.getByRole('heading', { name: 'general', exact: true })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole('complementary', { name: 'Channels' })).toBeHidden();

  await page.getByRole('button', { name: 'Channels' }).click();
  await page.getByRole('complementary', { name: 'Channels' }).getByRole('link', { name: 'random' }).click();
  await expect(page.getByRole('heading', { name: 'random', exact: true })).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'Channels' })).toBeHidden();

  await composer(page).fill('from my phone');
  await composer(page).press('Enter');
  await expect(messageContent(page, 'from my phone')).toHaveCount(1, { timeout: 10_000 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await context.close();
});
