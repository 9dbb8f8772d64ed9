import { expect, test } from '../support/fixtures';
import { ApiUser, logInAs } from '../support/chat';

const LIVE = { timeout: 10_000 };

test('an owner creates a channel and a role, gives the role, and kicks a member; the member sees each change live', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const owner = await ApiUser.register(baseURL!, 'own');
  const member = await ApiUser.register(baseURL!, 'mbr');
  const server = await owner.call<{ id: string }>('POST', '/api/v1/servers', { name: 'Managed' });
  await member.joinServer(owner, server.id);

  const o = await logInAs(browser, baseURL!, owner);
  const m = await logInAs(browser, baseURL!, member);
  await m.page.goto(`/servers/${server.id}`);
  await expect(m.page.getByRole('heading', { name: 'general', exact: true })).toBeVisible(LIVE);

  await o.page.goto(`/servers/${server.id}/settings/channels`);
  await o.page.getByLabel('Channel name').fill('announcements');
  await o.page.getByRole('button', { name: 'Create channel' }).click();
  await expect(o.page.getByRole('button', { name: 'Edit announcements' })).toBeVisible(LIVE);
  await expect(m.page.getByRole('navigation', { name: 'Channel list' }).getByRole('link', { name: /^announcements/ })).toBeVisible(LIVE);

  await o.page.getByRole('navigation', { name: 'Server settings' }).getByRole('link', { name: 'Roles' }).click();
  await o.page.getByLabel('Role name').fill('Moderator');
  await o.page.getByRole('button', { name: 'Create role' }).click();
  // The new role opens in the editor: its permissions are set there.
  const editor = o.page.getByRole('form', { name: 'Edit role Moderator' });
  await editor.getByRole('checkbox', { name: /^Kick members/ }).check();
  await editor.getByRole('button', { name: 'Save role' }).click();
  await expect(editor.getByRole('status')).toHaveText('Role saved', LIVE);
  await expect(o.page.getByRole('option', { name: 'Moderator' })).toBeAttached(LIVE);
  await o.page.getByLabel('Member', { exact: true }).selectOption({ label: member.account.username });
  await o.page.getByLabel('Role', { exact: true }).selectOption({ label: 'Moderator' });
  await o.page.getByRole('button', { name: 'Give role' }).click();
  await expect(o.page.getByRole('status').filter({ hasText: 'Role given' })).toBeVisible(LIVE);
  const roles = await owner.call<{ roles: string[] }>('GET', `/api/v1/servers/${server.id}/members/${member.id}`);
  expect(roles.roles).toHaveLength(1);

  await o.page.getByRole('link', { name: 'Back to chat' }).click();
  const members = o.page.getByRole('complementary', { name: 'Members' });
  await members.getByRole('button', { name: new RegExp(member.account.username) }).click();
  await members.getByRole('button', { name: 'Kick' }).click();
  // Kicking asks first (with an optional reason for the audit log).
  await o.page
    .getByRole('alertdialog', { name: /^Kick / })
    .getByRole('button', { name: 'Kick' })
    .click();
  await expect(o.page.getByTestId('member')).toHaveCount(1, LIVE);
  await expect(m.page.getByRole('link', { name: /^Managed/ })).toHaveCount(0, LIVE);
  await o.context.close();
  await m.context.close();
});
