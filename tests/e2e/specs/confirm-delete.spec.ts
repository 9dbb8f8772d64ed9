import { ApiUser, logInAs, messageContent } from '../support/chat';
import { expect, expectAccessible, screenshot, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

test('deleting a message asks first in an accessible dialog; Escape keeps it, Delete removes it for everyone, Shift+click skips the question', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(60_000);
  const owner = await ApiUser.register(baseURL!, 'del');
  const reader = await ApiUser.register(baseURL!, 'rdr');
  const { server, general } = await owner.createServer('Deleting');
  await reader.joinServer(owner, server.id);
  await owner.send(general.id, 'a message worth keeping');
  await owner.send(general.id, `a typo I regret, <@${reader.id}>`);
  await owner.send(general.id, 'another typo');
  const a = await logInAs(browser, baseURL!, owner);
  const b = await logInAs(browser, baseURL!, reader);
  for (const page of [a.page, b.page]) await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(messageContent(b.page, 'another typo')).toHaveCount(1, LIVE);
  // The mention shows as the name, in the message and in the dialog quoting it.
  const regret = `a typo I regret, @${reader.account.username}`;

  const page = a.page;
  const row = page.getByTestId('message-row').filter({ has: messageContent(page, regret) });
  await row.hover();
  await row.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete message' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Are you sure you want to delete this message?');
  await expect(dialog).toContainText(regret);
  // Focus starts on the safe choice and stays inside the dialog.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await screenshot(page, 'confirm-delete');
  await expectAccessible(page);

  // Escape keeps the message, and gives focus back to the Delete button it came from.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(row.getByRole('button', { name: 'Delete' })).toBeFocused();
  await expect(messageContent(page, regret)).toHaveCount(1);

  // Delete in the dialog removes it, for the other reader too.
  await row.getByRole('button', { name: 'Delete' }).click();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(messageContent(page, regret)).toHaveCount(0, LIVE);
  await expect(messageContent(b.page, regret)).toHaveCount(0, LIVE);

  // Shift+click deletes at once, without asking.
  const other = page.getByTestId('message-row').filter({ has: messageContent(page, 'another typo') });
  await other.hover();
  await other.getByRole('button', { name: 'Delete' }).click({ modifiers: ['Shift'] });
  await expect(dialog).toHaveCount(0);
  await expect(messageContent(b.page, 'another typo')).toHaveCount(0, LIVE);
  await expect(messageContent(b.page, 'a message worth keeping')).toHaveCount(1);
  const history = await owner.call<{ content: string }[]>('GET', `/api/v1/channels/${general.id}/messages?limit=10`);
  expect(history.map((m) => m.content)).toEqual(['a message worth keeping']);
  await a.context.close();
  await b.context.close();
});
