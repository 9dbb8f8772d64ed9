import { expect, newAccount, signUp, test } from '../support/fixtures';

test('the email notification choice is saved on the server and survives a reload', async ({ page }) => {
  await signUp(page, newAccount('notify'));
  await page.goto('/settings/notifications');
  // The default is DMs and mentions.
  await expect(page.getByRole('radio', { name: /Only mentions/ })).toBeChecked();

  // A click, not check(): the choice shows as checked once the server has it, which check() does not wait for.
  await page.getByRole('radio', { name: /Nothing/ }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await expect(page.getByRole('radio', { name: /Nothing/ })).toBeChecked();
  await page.reload();
  await expect(page.getByRole('radio', { name: /Nothing/ })).toBeChecked();
  await expect(page.getByRole('radio', { name: /Only mentions/ })).not.toBeChecked();
});

test('an unsubscribe link that is not ours is refused in plain words', async ({ page }) => {
  await page.goto('/unsubscribe?token=not-a-real-token');
  await expect(page.getByText('This unsubscribe link is not valid.', { exact: false })).toBeVisible();
});
