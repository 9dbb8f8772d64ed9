import { expect, test } from '../support/fixtures';
import { ApiUser, composer, logInAs, messageContent } from '../support/chat';

const LIVE = { timeout: 10_000 };

async function serverWithTwo(baseURL: string) {
  const owner = await ApiUser.register(baseURL, 'cmp');
  const other = await ApiUser.register(baseURL, 'oth');
  const { server, general } = await owner.createServer('Composer test');
  await other.joinServer(owner, server.id);
  return { owner, other, server, general };
}

test('a message that fails to send can be retried with the same nonce and appears once', async ({ browser, baseURL }) => {
  const { owner, server, general } = await serverWithTwo(baseURL!);
  const { context, page } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(composer(page)).toBeVisible();

  // The first attempt fails on the way (had it reached the server, its MessageCreated event would confirm it).
  const nonces: string[] = [];
  let failed = false;
  await page.route('**/api/v1/channels/*/messages', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    nonces.push((route.request().postDataJSON() as { nonce: string }).nonce);
    if (!failed) {
      failed = true;
      return route.abort('failed');
    }
    return route.continue();
  });
  await composer(page).fill('try, try again');
  await composer(page).press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'Not sent.' })).toBeVisible(LIVE);
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not sent.' })).toHaveCount(0, LIVE);
  await expect(messageContent(page, 'try, try again')).toHaveCount(1, LIVE);
  await expect(
    page.locator('[data-testid=message-row][data-state=sent]').filter({ has: messageContent(page, 'try, try again') }),
  ).toHaveCount(1, LIVE);
  expect(nonces).toHaveLength(2);
  expect(nonces[0]).toBe(nonces[1]);
  const history = await owner.call<{ content: string }[]>('GET', `/api/v1/channels/${general.id}/messages?limit=10`);
  expect(history.filter((m) => m.content === 'try, try again')).toHaveLength(1);
  await context.close();
});

test('mentions complete from the members, show as names, and count on the other side', async ({ browser, baseURL }) => {
  const { owner, other, server, general } = await serverWithTwo(baseURL!);
  const { context, page } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  await composer(page).fill(`hey @${other.account.username.slice(0, 6)}`);
  await page.getByRole('option', { name: new RegExp(other.account.username) }).click();
  await expect(composer(page)).toHaveValue(`hey <@${other.id}> `);
  await composer(page).press('Enter');
  await expect(messageContent(page, `hey @${other.account.username}`)).toHaveCount(1, LIVE);

  // The other member, elsewhere, sees the server and channel marked with one mention.
  const second = await logInAs(browser, baseURL!, other);
  await expect(second.page.getByRole('link', { name: 'Composer test, 1 mentions' })).toBeVisible(LIVE);
  await second.page.getByRole('link', { name: 'Composer test, 1 mentions' }).click();
  // Viewing the channel at the bottom marks it read.
  await expect(messageContent(second.page, `hey @${other.account.username}`)).toHaveCount(1, LIVE);
  await expect(second.page.getByRole('link', { name: 'general', exact: true })).toBeVisible(LIVE);
  await second.context.close();
  await context.close();
});

test('typing shows on the other side', async ({ browser, baseURL }) => {
  const { owner, other, server, general } = await serverWithTwo(baseURL!);
  const first = await logInAs(browser, baseURL!, owner);
  const second = await logInAs(browser, baseURL!, other);
  await first.page.goto(`/servers/${server.id}/channels/${general.id}`);
  await second.page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(composer(second.page)).toBeVisible();
  await expect(first.page.getByTestId('member')).toHaveCount(2, LIVE);
  await expect(async () => {
    await composer(second.page).fill('');
    await composer(second.page).pressSequentially('typing away', { delay: 20 });
    await expect(first.page.getByText(`${other.account.username} is typing…`)).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout: 25_000 });
  await composer(second.page).press('Enter');
  await expect(first.page.getByText(`${other.account.username} is typing…`)).toHaveCount(0, LIVE);
  await first.context.close();
  await second.context.close();
});
