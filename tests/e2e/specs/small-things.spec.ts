import { ApiUser, browserUser, logInAs } from '../support/chat';
import { expect, expectAccessible, homeHeading, screenshot, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

test('a first-run Home invites to paste an invite link or create a server, and server initials keep whole characters', async ({
  browser,
  baseURL,
}) => {
  const owner = await ApiUser.register(baseURL!, 'club');
  const { server } = await owner.createServer('Kama Club 🎉');
  const invite = await owner.call<{ code: string }>('POST', `/api/v1/servers/${server.id}/invites`, {
    maxUses: 0,
    maxAgeSeconds: 3600,
    temporary: false,
  });

  const { context, page } = await browserUser(browser, baseURL!, 'new');
  await expect(page.getByRole('heading', { name: 'Welcome to KamaChat' })).toBeVisible(LIVE);
  // "Friends" is either a real link or not there at all.
  const directMessages = page.getByRole('complementary', { name: 'Direct messages' });
  await expect(directMessages.getByText('Friends', { exact: true })).toHaveCount(
    await directMessages.getByRole('link', { name: 'Friends' }).count(),
  );
  await screenshot(page, 'first-run-home');
  await expectAccessible(page);

  // The link as it was pasted from a chat elsewhere.
  await page.getByLabel('Have an invite? Paste the link or code').fill(`${baseURL}/invite/${invite.code}`);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Kama Club 🎉' })).toBeVisible(LIVE);
  await page.getByRole('button', { name: 'Accept invite' }).click();
  await expect(page).toHaveURL(new RegExp(`/servers/${server.id}/channels/`), LIVE);

  // Its icon shows "KC": the emoji is not a letter, and no half of it is left over.
  const icon = page.getByRole('navigation', { name: 'Servers' }).getByRole('link', { name: /^Kama Club 🎉/ });
  await expect(icon.getByTestId('server-initials')).toHaveText('KC');

  // No longer a first run: Home asks to pick a conversation.
  await page.getByRole('link', { name: 'Home: direct messages' }).click();
  await expect(homeHeading(page)).toHaveText('Select a conversation');
  await context.close();
});

test('a first-run Home creates a server from its own button', async ({ browser, baseURL }) => {
  const { context, page } = await browserUser(browser, baseURL!, 'mkr');
  await expect(page.getByRole('heading', { name: 'Welcome to KamaChat' })).toBeVisible(LIVE);
  await page.getByRole('button', { name: 'Create a server' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a server' });
  await dialog.getByLabel('Server name').fill('Made on day one');
  await dialog.getByRole('button', { name: 'Create server' }).click();
  await expect(page).toHaveURL(/\/servers\/\d+\/channels\/\d+$/, LIVE);
  await expect(page.getByRole('navigation', { name: 'Servers' }).getByRole('link', { name: /^Made on day one/ })).toBeVisible();
  await context.close();
});

test("the profile card's actions sit inside the card", async ({ browser, baseURL }) => {
  const owner = await ApiUser.register(baseURL!, 'mod');
  const member = await ApiUser.register(baseURL!, 'mbr');
  const { server, general } = await owner.createServer('Cards with actions');
  await member.joinServer(owner, server.id);
  const { context, page } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await page
    .getByRole('complementary', { name: 'Members' })
    .getByRole('button', { name: new RegExp(member.account.username) })
    .click();
  const card = page.getByRole('dialog', { name: `Profile of ${member.account.username}` });
  await expect(card).toBeVisible(LIVE);
  for (const action of ['Message', 'Kick', 'Ban']) {
    const button = card.getByRole('button', { name: action });
    await expect(button).toBeVisible();
    // Inside the card's box, not hanging below it.
    const [outer, inner] = [await card.boundingBox(), await button.boundingBox()];
    expect(inner!.y + inner!.height).toBeLessThanOrEqual(outer!.y + outer!.height);
    expect(inner!.x + inner!.width).toBeLessThanOrEqual(outer!.x + outer!.width);
  }
  await screenshot(page, 'profile-card-actions');
  await expectAccessible(page);
  await context.close();
});
