import { expect, expectAccessible, screenshot, test } from '../support/fixtures';
import { ApiUser, logInAs } from '../support/chat';

const LIVE = { timeout: 10_000 };

test('a status and a custom status chosen from the user panel reach the other member, and ten quiet minutes show as idle', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const ada = await ApiUser.register(baseURL!, 'ada');
  const ben = await ApiUser.register(baseURL!, 'ben');
  const { server, general } = await ben.createServer('Status club');
  await ada.joinServer(ben, server.id);
  const channelUrl = `/servers/${server.id}/channels/${general.id}`;

  const a = await logInAs(browser, baseURL!, ada);
  // Ada's page runs on a clock the test can move, so "ten minutes without input" takes no ten minutes.
  await a.page.clock.install();
  await a.page.goto(channelUrl);
  const b = await logInAs(browser, baseURL!, ben);
  await b.page.goto(channelUrl);
  const adaInBensList = b.page.getByTestId('member').filter({ hasText: ada.account.username });
  await expect(adaInBensList.getByRole('img', { name: 'online' })).toBeVisible(LIVE);

  // Do Not Disturb from the user panel's menu, by keyboard.
  const statusButton = a.page.getByRole('button', { name: /^Set status/ });
  await statusButton.click();
  const menu = a.page.getByRole('menu', { name: 'Status' });
  await expect(menu.getByRole('menuitemradio', { name: /^Online/ })).toBeFocused();
  await expect(menu.getByRole('menuitemradio', { name: /^Online/ })).toHaveAttribute('aria-checked', 'true');
  await expectAccessible(a.page);
  await screenshot(a.page, 'status-menu');
  await a.page.keyboard.press('ArrowDown');
  await a.page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitemradio', { name: /^Do Not Disturb/ })).toBeFocused();
  await a.page.keyboard.press('Enter');
  await expect(menu).toHaveCount(0);
  await expect(statusButton).toBeFocused();
  await expect(statusButton).toHaveAccessibleName('Set status (now Do Not Disturb)');
  await expect(adaInBensList.getByRole('img', { name: 'dnd' })).toBeVisible(LIVE);

  // A custom status, seen on her profile card.
  await statusButton.click();
  await menu.getByRole('menuitem', { name: 'Set a custom status' }).click();
  const dialog = a.page.getByRole('dialog', { name: 'Set a custom status' });
  await dialog.getByLabel("What's happening?").fill('Reading Dune');
  await expectAccessible(a.page);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(a.page.getByRole('link', { name: /Reading Dune/ })).toBeVisible();
  await adaInBensList.getByRole('button').first().click();
  await expect(b.page.getByRole('dialog', { name: /^Profile of/ }).getByText('Reading Dune')).toBeVisible(LIVE);
  await b.page.keyboard.press('Escape');

  // Back online; then ten minutes without input turn her idle for Ben, and a mouse move brings her back.
  await statusButton.click();
  await menu.getByRole('menuitemradio', { name: /^Online/ }).click();
  await expect(adaInBensList.getByRole('img', { name: 'online' })).toBeVisible(LIVE);
  await a.page.clock.fastForward('10:01');
  await expect(adaInBensList.getByRole('img', { name: 'idle' })).toBeVisible(LIVE);
  await expect(statusButton).toHaveAccessibleName('Set status (now Idle)');
  await screenshot(b.page, 'status-idle-seen-by-others');
  await a.page.mouse.move(200, 200);
  await a.page.mouse.move(220, 240);
  await expect(adaInBensList.getByRole('img', { name: 'online' })).toBeVisible(LIVE);

  await a.context.close();
  await b.context.close();
});
