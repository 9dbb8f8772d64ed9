import { expect, test } from '../support/fixtures';
import { ApiUser, logInAs } from '../support/chat';

test('home lists who is online now; an account is deleted only with its password, and not while it owns servers', async ({
  browser,
  baseURL,
}) => {
  const alice = await ApiUser.register(baseURL!, 'alice');
  await alice.call('PATCH', '/api/v1/users/@me', { displayName: 'Alice Online' });
  const server = await alice.call<{ id: string }>('POST', '/api/v1/servers', { name: 'Meeting point' });
  const bob = await ApiUser.register(baseURL!, 'bob');
  await bob.joinServer(alice, server.id);

  const a = await logInAs(browser, baseURL!, alice);
  const b = await logInAs(browser, baseURL!, bob);
  await expect(b.page.getByRole('complementary', { name: 'Online now' }).getByText('Alice Online')).toBeVisible({ timeout: 10_000 });

  // Bob deletes his account: a wrong password is refused, the right one signs him out for good.
  await b.page.goto('/settings/account');
  await b.page.getByLabel('Password to confirm').fill('not my password');
  await b.page.getByLabel('I understand my account is deleted for good.').check();
  await b.page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(b.page.getByText('That password is not right.')).toBeVisible();
  await b.page.getByLabel('Password to confirm').fill(bob.account.password);
  await b.page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(b.page).toHaveURL(/\/login/);
  await b.page.getByLabel('Email or username').fill(bob.account.username);
  await b.page.getByLabel('Password').fill(bob.account.password);
  await b.page.getByRole('button', { name: 'Log in' }).click();
  await expect(b.page.getByRole('alert')).toBeVisible();
  await expect(b.page).toHaveURL(/\/login/);

  // Alice owns a server: the server refuses, and she is told what to do.
  await a.page.goto('/settings/account');
  await a.page.getByLabel('Password to confirm').fill(alice.account.password);
  await a.page.getByLabel('I understand my account is deleted for good.').check();
  await a.page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(a.page.getByText('You own servers.', { exact: false })).toBeVisible();
  await a.context.close();
  await b.context.close();
});
