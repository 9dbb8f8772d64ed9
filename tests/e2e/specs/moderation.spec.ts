import { ApiUser, composer, logInAs, messageContent } from '../support/chat';
import { expect, expectAccessible, screenshot, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

test('the owner times a moderator out with a reason and kicks another; they see why, lose their moderation while it lasts, the timeout ends on its own, and the audit log lists both', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const owner = await ApiUser.register(baseURL!, 'own');
  const member = await ApiUser.register(baseURL!, 'quiet');
  const other = await ApiUser.register(baseURL!, 'rude');
  const { server, general } = await owner.createServer('Moderation');
  await member.joinServer(owner, server.id);
  await other.joinServer(owner, server.id);
  // The member moderates: kick, ban, timeout, manage and pin messages (a timeout takes all of it while it lasts).
  const mods = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/roles`, {
    name: 'mods',
    permissions: String((1n << 1n) | (1n << 2n) | (1n << 13n) | (1n << 29n) | (1n << 40n)),
    color: 0,
    mentionable: false,
  });
  await owner.call('PUT', `/api/v1/servers/${server.id}/members/${member.id}/roles/${mods.id}`);
  await owner.send(general.id, 'the house rules');
  const a = await logInAs(browser, baseURL!, owner);
  const m = await logInAs(browser, baseURL!, member);
  const o = await logInAs(browser, baseURL!, other);
  const channelUrl = `/servers/${server.id}/channels/${general.id}`;
  for (const page of [a.page, m.page, o.page]) await page.goto(channelUrl);
  await expect(composer(m.page)).toBeEnabled(LIVE);

  // What the moderator is offered on the owner's message and on the member below them: each action once, or none.
  const modMembers = m.page.getByRole('complementary', { name: 'Members' });
  const moderation = async (count: 0 | 1) => {
    const row = m.page.getByTestId('message-row').filter({ has: messageContent(m.page, 'the house rules') });
    await row.hover();
    for (const name of ['Pin', 'Delete']) await expect(row.getByRole('button', { name, exact: true })).toHaveCount(count, LIVE);
    const card = modMembers.getByTestId('member').filter({ hasText: other.account.username });
    await card.getByRole('button').first().click();
    await expect(card.getByRole('button', { name: 'Message', exact: true })).toBeVisible();
    for (const name of ['Timeout', 'Kick', 'Ban']) await expect(card.getByRole('button', { name, exact: true })).toHaveCount(count);
    await card.getByRole('button').first().click();
  };
  await moderation(1);

  // The owner opens the member's card and times them out for 60 seconds, with a reason.
  const page = a.page;
  const members = page.getByRole('complementary', { name: 'Members' });
  await members.getByTestId('member').filter({ hasText: member.account.username }).getByRole('button').first().click();
  await members.getByRole('button', { name: 'Timeout' }).click();
  const timeoutDialog = page.getByRole('dialog', { name: `Time out ${member.account.username}` });
  await expect(timeoutDialog).toBeVisible();
  await expect(timeoutDialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expect(timeoutDialog.getByRole('radio', { name: '60 seconds' })).toBeChecked();
  await timeoutDialog.getByLabel('Reason (optional)').fill('cool off');
  await screenshot(page, 'moderation-timeout-dialog');
  await expectAccessible(page);
  await timeoutDialog.getByRole('button', { name: 'Time out' }).click();
  await expect(timeoutDialog).toHaveCount(0);

  // The member's composer closes and says until when; the server refuses a send all the same.
  await expect(composer(m.page)).toBeDisabled(LIVE);
  await expect(m.page.getByRole('status').filter({ hasText: /You are timed out until \d{1,2}:\d{2}/ })).toBeVisible();
  await screenshot(m.page, 'moderation-timed-out-composer');
  const refused = await member.send(general.id, 'sneaky').then(
    () => 'sent',
    (e: Error) => e.message,
  );
  expect(refused).toContain('timed_out');
  // Nor are they offered the moderation the timeout takes: not on a message, not on a member below them.
  await moderation(0);

  // The shortest timeout offered is 60 seconds; rather than wait out most of it, the owner moves its end to a few
  // seconds from now (the API takes any future end). Nobody lifts it: when that time is up the composer opens again
  // by itself, not before, and the member can send.
  const end = Date.now() + 5_000;
  await owner.call('PUT', `/api/v1/servers/${server.id}/members/${member.id}/timeout`, { until: new Date(end).toISOString() });
  await expect(composer(m.page)).toBeEnabled({ timeout: 30_000 });
  // Same machine, same clock: a composer that opened on the update rather than at the end would likely show before it.
  expect(Date.now()).toBeGreaterThanOrEqual(end);
  await composer(m.page).fill('back again');
  await composer(m.page).press('Enter');
  await expect(messageContent(m.page, 'back again')).toHaveCount(1, LIVE);
  // The row shows at once (optimistic send); the server accepting it is what counts.
  await expect
    .poll(
      async () => (await owner.call<{ content: string }[]>('GET', `/api/v1/channels/${general.id}/messages?limit=5`)).map((x) => x.content),
      LIVE,
    )
    .toContain('back again');
  // Their moderation is back with it.
  await moderation(1);

  // The owner kicks the other member with a reason, through the confirmation dialog.
  await members.getByTestId('member').filter({ hasText: other.account.username }).getByRole('button').first().click();
  await members.getByRole('button', { name: 'Kick' }).click();
  const kickDialog = page.getByRole('alertdialog', { name: `Kick ${other.account.username}` });
  await expect(kickDialog).toBeVisible();
  await kickDialog.getByLabel('Reason (optional)').fill('spoilers, again');
  await expectAccessible(page);
  await kickDialog.getByRole('button', { name: 'Kick' }).click();
  await expect(kickDialog).toHaveCount(0);

  // The kicked member is told where from and why, not "Server not found".
  await expect(o.page.getByRole('heading', { name: 'You were removed from Moderation' })).toBeVisible(LIVE);
  await expect(o.page.getByText('Reason: spoilers, again')).toBeVisible();
  await screenshot(o.page, 'moderation-removed');

  // The audit log in the server's settings lists both, with their reasons, and filters by action.
  await page.goto(`/servers/${server.id}/settings/audit-log`);
  const log = page.getByRole('region', { name: 'Audit log' });
  const entries = log.getByTestId('audit-entry');
  await expect(entries.filter({ hasText: 'Timed out a member' }).filter({ hasText: 'Reason: cool off' })).toHaveCount(1, LIVE);
  await expect(entries.filter({ hasText: 'Kicked a member' }).filter({ hasText: 'Reason: spoilers, again' })).toHaveCount(1);
  await log.getByLabel('Action').selectOption({ label: 'Kicked a member' });
  await expect(entries).toHaveCount(1, LIVE);
  await expect(entries.first()).toContainText(other.account.username);
  await log.scrollIntoViewIfNeeded();
  await screenshot(page, 'moderation-audit-log');
  await expectAccessible(page);

  for (const context of [a.context, m.context, o.context]) await context.close();
});
