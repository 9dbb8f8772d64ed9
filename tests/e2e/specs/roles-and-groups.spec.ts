import { expect, expectAccessible, screenshot, test } from '../support/fixtures';
import { ApiUser, logInAs } from '../support/chat';

const LIVE = { timeout: 10_000 };

test("an owner recolours a role and moves it up the hierarchy, and the colour shows on the holder's name in chat and the member list", async ({
  browser,
  baseURL,
}) => {
  const owner = await ApiUser.register(baseURL!, 'rolesowner');
  const member = await ApiUser.register(baseURL!, 'painter');
  const { server, general } = await owner.createServer('Roles');
  await member.joinServer(owner, server.id);
  const helpers = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/roles`, {
    name: 'Helpers',
    permissions: '0',
    color: 0,
    mentionable: false,
  });
  const painters = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/roles`, {
    name: 'Painters',
    permissions: '0',
    color: 0,
    mentionable: false,
  });
  await owner.call('PUT', `/api/v1/servers/${server.id}/members/${member.id}/roles/${painters.id}`);
  await member.send(general.id, 'fresh paint');

  const { page } = await logInAs(browser, baseURL!, owner);
  await page.goto(`/servers/${server.id}/settings/roles`);
  const hierarchy = page.getByRole('list', { name: 'Role hierarchy' });
  await expect(hierarchy.getByTestId('role-row')).toHaveCount(3, LIVE);
  // Newest roles start at the bottom, above @everyone: Helpers, Painters, @everyone.
  await expect(hierarchy.getByTestId('role-row').nth(1)).toContainText('Painters');

  await hierarchy.getByRole('button', { name: 'Painters', exact: true }).click();
  const editor = page.getByRole('form', { name: 'Edit role Painters' });
  await editor.getByLabel('Colour').fill('#fca5a5');
  await editor.getByRole('checkbox', { name: 'Show members with this role separately' }).check();
  await editor.getByRole('button', { name: 'Save role' }).click();
  await expect(editor.getByRole('status')).toHaveText('Role saved', LIVE);
  await expect(editor.getByRole('region', { name: 'Members with Painters' })).toContainText(member.account.username);

  await hierarchy.getByRole('button', { name: 'Move Painters up' }).click();
  await expect(hierarchy.getByTestId('role-row').first()).toContainText('Painters', LIVE);
  await expect(hierarchy.getByRole('button', { name: 'Move Painters up' })).toBeDisabled();
  const roles = await owner.call<{ id: string; position: number; color: number; hoist: boolean }[]>(
    'GET',
    `/api/v1/servers/${server.id}/roles`,
  );
  expect(roles.find((r) => r.id === painters.id)).toMatchObject({ position: 2, color: 0xfca5a5, hoist: true });
  expect(roles.find((r) => r.id === helpers.id)?.position).toBe(1);
  await screenshot(page, 'roles-editor');
  await expectAccessible(page);

  // Deleting asks first, in a dialog; Cancel keeps the role.
  await hierarchy.getByRole('button', { name: 'Helpers', exact: true }).click();
  await page.getByRole('form', { name: 'Edit role Helpers' }).getByRole('button', { name: 'Delete role' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete Helpers?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Delete role' }).click();
  await expect(hierarchy.getByTestId('role-row')).toHaveCount(2, LIVE);

  await page.goto(`/servers/${server.id}/channels/${general.id}`);
  const name = page.getByTestId('author-name').filter({ hasText: member.account.username });
  await expect(name).toHaveCSS('color', 'rgb(252, 165, 165)', LIVE);
  const members = page.getByRole('complementary', { name: 'Members' });
  await expect(members.getByRole('heading', { level: 3 }).first()).toHaveText(/^(Painters|Online) — 1$/);
  await screenshot(page, 'roles-colour-in-chat');
  await expectAccessible(page);
});

test('a group DM is renamed, someone added and someone removed, each with a line in the conversation', async ({ browser, baseURL }) => {
  const me = await ApiUser.register(baseURL!, 'grouper');
  const kim = await ApiUser.register(baseURL!, 'groupkim');
  const lee = await ApiUser.register(baseURL!, 'grouplee');
  // Lee shares a server with me, so Lee is someone I may add.
  const { server } = await me.createServer('Shared');
  await lee.joinServer(me, server.id);
  const group = await me.call<{ id: string }>('POST', '/api/v1/users/@me/group-channels', { recipientIds: [kim.id] });

  const { page } = await logInAs(browser, baseURL!, me);
  await page.goto(`/channels/@me/${group.id}`);
  const panel = page.getByRole('complementary', { name: 'Group members' });
  await expect(panel.getByTestId('group-member')).toHaveCount(2, LIVE);
  const lines = page.getByTestId('system-line');

  await panel.getByRole('button', { name: 'Group settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Group settings' });
  await settings.getByLabel('Group name').fill('Planners');
  await settings.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Planners/ })).toBeVisible(LIVE);
  await expect(lines.last()).toContainText(`renamed the group to Planners`, LIVE);

  await panel.getByRole('button', { name: 'Add people' }).click();
  const add = page.getByRole('dialog', { name: 'Add people' });
  await add.getByRole('checkbox', { name: lee.account.username }).check();
  await screenshot(page, 'group-dm-add-people');
  await expectAccessible(page);
  await add.getByRole('button', { name: 'Add' }).click();
  await expect(panel.getByTestId('group-member')).toHaveCount(3, LIVE);
  await expect(lines.last()).toContainText(`added ${lee.account.username} to the group`, LIVE);

  await panel.getByRole('button', { name: `Remove ${kim.account.username}` }).click();
  await page
    .getByRole('alertdialog', { name: `Remove ${kim.account.username}?` })
    .getByRole('button', { name: 'Remove' })
    .click();
  await expect(panel.getByTestId('group-member')).toHaveCount(2, LIVE);
  await expect(lines.last()).toContainText(`removed ${kim.account.username} from the group`, LIVE);
  await expect(lines).toHaveCount(3);
  await screenshot(page, 'group-dm-system-lines');
  await expectAccessible(page);
});
