import { ApiUser, logInAs, messageContent } from '../support/chat';
import { expect, expectAccessible, screenshot, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

test("messages show Discord's markdown: headings, quotes, lists, strikethrough, role and channel chips, highlighted code, and masked links that say where they go", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(60_000);
  const owner = await ApiUser.register(baseURL!, 'md');
  const reader = await ApiUser.register(baseURL!, 'mdr');
  const { server, general } = await owner.createServer('Markdown');
  await reader.joinServer(owner, server.id);
  const role = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/roles`, {
    name: 'Moderators',
    color: 0xe91e63,
    mentionable: true,
  });
  const news = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/channels`, { name: 'news', type: 'text' });
  await owner.send(
    general.id,
    [
      '# Release notes',
      '> quoted **bold**',
      '- first point',
      '- second point',
      `~~old plan~~ ask <@&${role.id}> in <#${news.id}>, read [the notes](https://notes.example.invalid/v2)`,
      '```ts',
      'const answer = 42;',
      '```',
    ].join('\n'),
  );

  const asked = await owner.send(general.id, `<@${reader.id}>, ask <@&${role.id}> in <#${news.id}>`);
  await owner.call('POST', `/api/v1/channels/${general.id}/messages`, { content: 'will do', replyTo: asked.id });

  const { page, context } = await logInAs(browser, baseURL!, reader);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  // A reply's quote shows mentions by name, as the message itself does, never as <@id>.
  const quote = page
    .getByTestId('message-row')
    .filter({ has: messageContent(page, 'will do') })
    .getByTestId('reply-quote');
  await expect(quote).toContainText(`@${reader.account.username}, ask @Moderators in #news`, LIVE);
  const row = page.getByTestId('message-row').filter({ hasText: 'Release notes' });
  await expect(row.getByRole('heading', { name: 'Release notes' })).toBeVisible(LIVE);
  await expect(row.locator('blockquote')).toHaveText('quoted bold');
  await expect(row.locator('blockquote strong')).toHaveText('bold');
  await expect(row.getByRole('listitem')).toHaveText(['first point', 'second point']);
  await expect(row.locator('s')).toHaveText('old plan');
  await expect(row.locator(`[data-role-id="${role.id}"]`)).toHaveText('@Moderators');
  // The highlighter arrives on demand and colours the keyword.
  const code = row.locator('code[data-language="ts"]');
  await expect(code).toHaveText('const answer = 42;', LIVE);
  await expect(code.locator('span', { hasText: /^const$/ })).toHaveClass(/text-purple/);

  // A masked link says where it really goes before leaving, in an accessible dialog; Go back stays here.
  await row.getByRole('link', { name: 'the notes' }).click();
  const dialog = page.getByRole('dialog', { name: 'Leaving KamaChat' });
  await expect(dialog).toContainText('https://notes.example.invalid/v2');
  await expect(dialog.getByRole('button', { name: 'Go back' })).toBeFocused();
  await screenshot(page, 'markdown-leaving');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Go back' }).click();
  await expect(dialog).toHaveCount(0);
  expect(context.pages()).toHaveLength(1);
  await screenshot(page, 'markdown');

  // A channel mention is a link into that channel.
  await row.getByRole('link', { name: '#news' }).click();
  await expect(page).toHaveURL(new RegExp(`/servers/${server.id}/channels/${news.id}$`));
  await expect(page.getByRole('heading', { name: 'news', level: 1 })).toBeVisible();
  await context.close();
});
