import { ApiUser, composer, logInAs, messageContent } from '../support/chat';
import { expect, expectAccessible, screenshot, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

test('near 4,000 characters a counter shows, and a longer message is refused whole and in words, never cut', async ({
  browser,
  baseURL,
}) => {
  const owner = await ApiUser.register(baseURL!, 'long');
  const { server, general } = await owner.createServer('Long messages');
  const { context, page } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);

  await composer(page).fill('a'.repeat(3000));
  await expect(page.getByTestId('length-counter')).toHaveCount(0);
  await composer(page).fill('a'.repeat(3600));
  await expect(page.getByTestId('length-counter')).toHaveText('400 left');

  // A paste past the limit stays whole in the box (no silent cut), and Enter says why it does not go.
  await composer(page).fill('b'.repeat(4100));
  await expect(composer(page)).toHaveValue('b'.repeat(4100));
  await expect(page.getByTestId('length-counter')).toHaveText('100 over the limit');
  await composer(page).press('Enter');
  await expect(page.getByRole('alert')).toContainText(
    'This message is 100 characters too long: 4,000 at most. Shorten it or split it in two.',
  );
  await expect(page.getByRole('alert').getByRole('button', { name: 'Send as a text file' })).toBeVisible();
  await expect(composer(page)).toHaveValue('b'.repeat(4100));
  await screenshot(page, 'composer-too-long');
  await expectAccessible(page);
  expect(await owner.call<unknown[]>('GET', `/api/v1/channels/${general.id}/messages?limit=5`)).toEqual([]);

  // At exactly the limit it goes, whole.
  await composer(page).fill('c'.repeat(4000));
  await expect(page.getByRole('alert')).toHaveCount(0);
  await composer(page).press('Enter');
  await expect(composer(page)).toHaveValue('', LIVE);
  await expect(page.locator('[data-testid=message-row][data-state=sent]')).toHaveCount(1, LIVE);
  const history = await owner.call<{ content: string }[]>('GET', `/api/v1/channels/${general.id}/messages?limit=5`);
  expect(history.map((m) => m.content.length)).toEqual([4000]);
  await context.close();
});

test('Up edits my last message with the caret at the end, and the edit box grows with its content', async ({ browser, baseURL }) => {
  const owner = await ApiUser.register(baseURL!, 'edit');
  const { server, general } = await owner.createServer('Editing');
  const { context, page } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await composer(page).fill('first draft');
  await composer(page).press('Enter');
  await expect(page.locator('[data-testid=message-row][data-state=sent]')).toHaveCount(1, LIVE);

  await composer(page).press('ArrowUp');
  const box = page.getByRole('textbox', { name: 'Edit message' });
  await expect(box).toBeFocused();
  expect(await box.evaluate((el: HTMLTextAreaElement) => [el.selectionStart, el.selectionEnd, el.value.length])).toEqual([11, 11, 11]);

  // Typing goes on at the end; more lines make the box taller instead of scrolling inside one line.
  const before = (await box.boundingBox())!.height;
  await page.keyboard.type(', then more');
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type(`line ${i + 2}`);
  }
  await expect(box).toHaveValue('first draft, then more\nline 2\nline 3\nline 4');
  expect((await box.boundingBox())!.height).toBeGreaterThan(before * 2);
  expect(await box.evaluate((el) => el.scrollHeight <= el.clientHeight)).toBe(true);
  await screenshot(page, 'edit-box-grows');
  await page.keyboard.press('Enter');
  await expect(messageContent(page, 'first draft, then more\nline 2\nline 3\nline 4')).toHaveCount(1, LIVE);
  await context.close();
});

test('a message over the limit goes as message.txt instead, with an optional caption, and shows as a file card', async ({
  browser,
  baseURL,
}) => {
  const owner = await ApiUser.register(baseURL!, 'longfile');
  const { server, general } = await owner.createServer('Long as a file');
  const { context, page } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);

  const text = 'long line of text\n'.repeat(300); // 5,400 characters
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await page.getByRole('button', { name: 'Send as a text file' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'attached as message.txt' })).toBeVisible();
  await expect(composer(page)).toHaveValue('');
  await expect(composer(page)).toBeFocused();
  await page.keyboard.type('the whole log');
  // Sending waits for the file's upload to finish ("Wait until the files have finished uploading." before then).
  await expect(page.getByRole('progressbar', { name: 'Uploading message.txt' })).toHaveCount(0, LIVE);
  await page.keyboard.press('Enter');

  const card = page.getByTestId('attachment-file').filter({ hasText: 'message.txt' });
  await expect(card).toBeVisible(LIVE);
  await expect(messageContent(page, 'the whole log')).toHaveCount(1, LIVE);
  type Sent = { content: string; attachments: { fileName: string; size: number; state: string; url: string }[] };
  const newest = async () => (await owner.call<Sent[]>('GET', `/api/v1/channels/${general.id}/messages?limit=5`))[0]!;
  // The card shows while the file is still being processed; its URL comes once it is ready.
  await expect.poll(async () => (await newest()).attachments[0]?.state, LIVE).toBe('ready');
  const message = await newest();
  expect(message.content).toBe('the whole log');
  expect(message.attachments.map((a) => [a.fileName, a.size])).toEqual([['message.txt', text.trim().length]]);
  // The file holds the text, whole.
  const download = await page.request.get(message.attachments[0]!.url);
  expect(await download.text()).toBe(text.trim());
  await context.close();
});
