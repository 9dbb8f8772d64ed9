import { expect, expectAccessible, screenshot, test } from '../support/fixtures';
import { ApiUser, logInAs, messageContent, pool } from '../support/chat';

test.describe('message search', () => {
  test('a user searches from: another member with a partial word, sees the highlighted hit, clicks it, and lands on the message', async ({
    browser,
    baseURL,
  }) => {
    test.setTimeout(120_000);
    const owner = await ApiUser.register(baseURL!, 'srch');
    const ada = await ApiUser.register(baseURL!, 'ada');
    const { server, general } = await owner.createServer('Search party');
    await ada.joinServer(owner, server.id);

    // The message to find, by Ada, then the owner saying the same word (not from: Ada) and enough chatter after it
    // that it is far above the newest page of history: opening it needs history around= the message.
    const crew = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/roles`, {
      name: 'crew',
      permissions: '0',
      color: 0,
      mentionable: true,
    });
    await owner.send(general.id, `ask <@${ada.id}> or <@&${crew.id}> in <#${general.id}>`);
    const target = await ada.send(general.id, 'The deployment to staging finished at noon');
    await owner.send(general.id, 'my deployment notes are in the wiki');
    await pool(70, 4, (i) => owner.send(general.id, `later chatter ${i}`));

    const { context, page } = await logInAs(browser, baseURL!, owner);
    await page.goto(`/servers/${server.id}/channels/${general.id}`);
    await expect(messageContent(page, 'later chatter 69')).toBeVisible();

    // Ctrl+F goes to the search box; from: completes to Ada, the first suggestion.
    await page.keyboard.press('Control+f');
    const box = page.getByRole('combobox', { name: 'Search messages' });
    await expect(box).toBeFocused();
    await box.pressSequentially(`from:${ada.account.username.slice(0, 6)}`);
    const suggestion = page.getByRole('option', { name: new RegExp(`@${ada.account.username}`) });
    await expect(suggestion).toBeVisible();
    await box.press('Enter');
    await expect(box).toHaveValue(`from:${ada.account.username} `);
    await box.pressSequentially('deplo');
    await box.press('Enter');

    const results = page.getByRole('complementary', { name: 'Search results' });
    await expect(results.getByRole('heading', { name: '1 result' })).toBeVisible();
    const hit = results.getByTestId('search-hit');
    await expect(hit).toHaveCount(1);
    await expect(hit.locator('mark')).toHaveText('deplo');
    // The message before it reads its mentions as names, as in the channel.
    await expect(hit).toContainText(`ask @${ada.account.username} or @crew in #general`);
    await expect(results.getByRole('region', { name: /^Results in #general/ })).toBeVisible();
    await expectAccessible(page);
    await screenshot(page, 'search-results');

    await hit.click();
    await expect(page).toHaveURL(new RegExp(`/servers/${server.id}/channels/${general.id}/${target.id}$`));
    const row = page.locator(`[data-testid="message-row"][data-message-id="${target.id}"]`);
    await expect(row).toBeInViewport();
    await expect(row).toHaveAttribute('aria-current', 'location');
    await expect(row).toBeFocused();
    // The newest messages are not what is shown: this is history opened at the hit.
    await expect(messageContent(page, 'later chatter 69')).not.toBeInViewport();
    await screenshot(page, 'search-jumped-to-message');

    const present = page.getByRole('button', { name: /Jump to present/ });
    await present.click();
    await expect(messageContent(page, 'later chatter 69')).toBeInViewport();
    await expect(present).toHaveCount(0);
    await context.close();
  });

  test('DMs are searched from the home view, and a search that finds nothing says what to try', async ({ browser, baseURL }) => {
    const me = await ApiUser.register(baseURL!, 'dmsr');
    const friend = await ApiUser.register(baseURL!, 'frnd');
    const dm = await friend.call<{ id: string }>('POST', '/api/v1/users/@me/channels', { recipientId: me.id });
    const found = await friend.send(dm.id, '東京タワーで会いましょう');

    const { context, page } = await logInAs(browser, baseURL!, me);
    const box = page.getByRole('combobox', { name: 'Search messages' });
    await box.fill('東京');
    await box.press('Enter');
    const results = page.getByRole('complementary', { name: 'Search results' });
    await expect(results.getByTestId('search-hit').locator('mark')).toHaveText('東京');

    await box.fill('nothing-like-this-was-said');
    await box.press('Enter');
    await expect(results.getByText(/No results for/)).toBeVisible();
    await expect(results.getByText(/Try fewer words, part of a word/)).toBeVisible();

    await box.fill('東京');
    await box.press('Enter');
    await results.getByTestId('search-hit').click();
    await expect(page).toHaveURL(new RegExp(`/channels/@me/${dm.id}/${found.id}$`));
    await expect(page.locator(`[data-message-id="${found.id}"]`)).toHaveAttribute('aria-current', 'location');

    // On a phone the results cover the screen with their close button in reach, and a hit opens the message.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/channels/@me/${dm.id}`);
    await box.fill('東京');
    await box.press('Enter');
    const close = (await results.getByRole('button', { name: 'Close search results' }).boundingBox())!;
    expect(close.x + close.width).toBeLessThanOrEqual(390);
    await results.getByTestId('search-hit').click();
    await expect(results).toBeHidden();
    await expect(page.locator(`[data-message-id="${found.id}"]`)).toBeInViewport();
    await context.close();
  });
});
