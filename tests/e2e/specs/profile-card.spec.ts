import { expect, test } from '../support/fixtures';
import { ApiUser, logInAs, messageContent } from '../support/chat';

test('a profile card opens from a message author and from the member list, and leads to the full profile', async ({ browser, baseURL }) => {
  const owner = await ApiUser.register(baseURL!, 'card');
  await owner.call('PATCH', '/api/v1/users/@me', { displayName: 'Card Owner', bio: 'I keep the <b>lights</b> on.' });
  const server = await owner.call<{ id: string }>('POST', '/api/v1/servers', { name: 'Cards' });
  const channels = await owner.call<{ id: string; type: string }[]>('GET', `/api/v1/servers/${server.id}/channels`);
  const general = channels.find((c) => c.type === 'text')!;
  const invite = await owner.call<{ code: string }>('POST', `/api/v1/servers/${server.id}/invites`, {
    maxUses: 0,
    maxAgeSeconds: 0,
    temporary: false,
  });
  const member = await ApiUser.register(baseURL!, 'reader');
  await member.call('POST', `/api/v1/invites/${invite.code}/join`);
  await owner.send(general.id, 'hello from the owner');

  const { context, page } = await logInAs(browser, baseURL!, member);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(messageContent(page, 'hello from the owner')).toBeVisible({ timeout: 10_000 });

  // From the message author.
  await page.getByTestId('message-row').getByRole('button', { name: 'Card Owner' }).click();
  const card = page.getByRole('dialog', { name: 'Profile of Card Owner' });
  await expect(card).toBeVisible();
  await expect(card.getByText('I keep the <b>lights</b> on.')).toBeVisible();
  await expect(card.locator('b')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(card).toHaveCount(0);

  // From the member list, then on to the full profile page.
  await page
    .getByRole('complementary', { name: 'Members' })
    .getByRole('button', { name: /Card Owner/ })
    .click();
  await expect(card).toBeVisible();
  await card.getByRole('link', { name: 'View full profile' }).click();
  await expect(page).toHaveURL(new RegExp(`/users/${owner.id}$`));
  await expect(page.getByRole('heading', { name: 'Card Owner' })).toBeVisible();
  await context.close();
});
