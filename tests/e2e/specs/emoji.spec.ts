import { expect, expectAccessible, screenshot, test } from '../support/fixtures';
import { ApiUser, composer, logInAs, messageContent } from '../support/chat';

const LIVE = { timeout: 10_000 };

async function serverWithTwo(baseURL: string) {
  const owner = await ApiUser.register(baseURL, 'emo');
  const other = await ApiUser.register(baseURL, 'emp');
  const { server, general } = await owner.createServer('Emoji test');
  await other.joinServer(owner, server.id);
  return { owner, other, server, general };
}

test('the emoji picker searches, inserts into the composer, and :smi completes a shortcode', async ({ browser, baseURL }) => {
  const { owner, server, general } = await serverWithTwo(baseURL!);
  const { context, page } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await composer(page).fill('ship it ');

  await page.getByRole('button', { name: 'Choose an emoji' }).click();
  const picker = page.getByRole('region', { name: 'Emoji picker' });
  await expect(picker.getByRole('searchbox', { name: 'Search emoji' })).toBeFocused();
  // Categories come from the data set (loaded now, not with the app).
  await picker.getByRole('button', { name: 'Food & drink' }).click();
  await expect(picker.getByRole('button', { name: /^watermelon/ })).toBeVisible(LIVE);
  await picker.getByRole('combobox', { name: 'Skin tone' }).selectOption({ label: '👋🏽 Medium skin tone' });
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('wave');
  await expect(picker.getByRole('button', { name: /^waving hand/ }).first()).toHaveText('👋🏽');
  await expectAccessible(page);
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('rocket');
  await screenshot(page, 'emoji-picker');
  await picker.getByRole('button', { name: /^rocket/ }).click();
  await expect(picker).toHaveCount(0);
  await expect(composer(page)).toHaveValue('ship it 🚀');
  await composer(page).press('Enter');
  await expect(messageContent(page, 'ship it 🚀')).toBeVisible(LIVE);

  // :smi lists matching shortcodes; picking one puts the emoji in place of what was typed.
  await composer(page).pressSequentially('done :smi');
  const list = page.getByRole('listbox', { name: 'Emoji matching' });
  await expect(list.getByRole('option', { name: /:smile:/ })).toBeVisible(LIVE);
  await screenshot(page, 'emoji-shortcode-completion');
  await list
    .getByRole('option', { name: /:smile:/ })
    .getByRole('button')
    .click();
  await expect(composer(page)).toHaveValue('done 😄');
  // A shortcode typed out in full becomes its emoji when sent.
  await composer(page).pressSequentially(' :tada:');
  await composer(page).press('Enter');
  await expect(messageContent(page, 'done 😄 🎉')).toBeVisible(LIVE);
  await context.close();
});

test('a reaction from the full picker counts for everyone, and the recent emoji lead the quick bar', async ({ browser, baseURL }) => {
  const { owner, other, server, general } = await serverWithTwo(baseURL!);
  await other.send(general.id, 'react to me');
  // Messages after it: the picker opens over them, and must not be painted under them.
  for (const text of ['after one', 'after two', 'after three', 'after four', 'after five']) await other.send(general.id, text);
  const a = await logInAs(browser, baseURL!, owner);
  const b = await logInAs(browser, baseURL!, other);
  for (const p of [a.page, b.page]) await p.goto(`/servers/${server.id}/channels/${general.id}`);

  const row = a.page.getByTestId('message-row').filter({ has: messageContent(a.page, 'react to me') });
  await row.hover();
  await row.getByRole('button', { name: 'Add reaction' }).click();
  await a.page.getByRole('button', { name: 'More emoji' }).click();
  const picker = a.page.getByRole('region', { name: 'Pick a reaction' });
  await expect(picker).toBeInViewport({ ratio: 1 });
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('tada');
  await picker.getByRole('button', { name: /^party popper/ }).click();
  await expect(row.getByRole('button', { name: '🎉 1 reaction' })).toBeVisible(LIVE);
  const rowOnB = b.page.getByTestId('message-row').filter({ has: messageContent(b.page, 'react to me') });
  await expect(rowOnB.getByRole('button', { name: '🎉 1 reaction' })).toBeVisible(LIVE);

  // The quick bar now starts with it.
  await row.hover();
  await row.getByRole('button', { name: 'Add reaction' }).click();
  await expect(a.page.getByRole('group', { name: 'Pick a reaction' }).getByRole('button').first()).toHaveAccessibleName('React with 🎉');
  await a.context.close();
  await b.context.close();
});
