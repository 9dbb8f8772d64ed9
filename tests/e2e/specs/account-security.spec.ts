import type { Page } from '@playwright/test';
import { expect, expectAccessible, logIn, newAccount, screenshot, signUp, test, homeHeading } from '../support/fixtures';
import { mailedLink } from '../support/mail';

async function logOut(page: Page) {
  await page.goto('/settings/security');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test('changing the password: the old one stops working, the new one signs in', async ({ page }) => {
  const account = newAccount('pw');
  await signUp(page, account);
  await page.goto('/settings/security');
  await expect(page.getByText('signs you out on every other device')).toBeVisible();

  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill('a brand new passphrase 1');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByLabel('Current password')).toHaveAccessibleDescription('That password is incorrect.');

  const newPassword = `${account.password} renewed`;
  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password was changed.' })).toBeVisible();
  await screenshot(page, '24-security-settings');

  await logOut(page);
  await logIn(page, account.username, account.password);
  await expect(page.getByRole('alert')).toHaveText('The login or password is incorrect.');
  await logIn(page, account.username, newPassword);
  await expect(homeHeading(page)).toBeVisible();
});

test('forgot password answers the same neutral confirmation for any address', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await expect(page.getByLabel('Email')).toBeFocused();
  await expectAccessible(page);
  const nobody = `nobody_${Date.now()}@example.com`;
  await page.getByLabel('Email').fill(nobody);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByRole('status')).toHaveText(
    `If an account uses ${nobody}, we’ve sent it a link to reset the password. ` +
      'The link works once, for one hour. Check your spam folder if it doesn’t arrive.',
  );
  await screenshot(page, '25-forgot-password-sent');
  await expectAccessible(page);
});

test('resetting the password from the mailed link, then logging in with the new one', async ({ page }) => {
  const account = newAccount('reset');
  await signUp(page, account);
  await logOut(page);

  await page.goto('/forgot-password');
  await page.getByLabel('Email').fill(account.email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByRole('status')).toContainText(`If an account uses ${account.email}`);

  const link = await mailedLink(account.email, 'reset-password');
  await page.goto(link);
  await expect(page.getByLabel('New password')).toBeFocused();
  await expectAccessible(page);
  // The server's own rules come back under the field.
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByLabel('New password')).toHaveAccessibleDescription(/.+/);
  await expect(page).toHaveURL(/\/reset-password\?/);

  const newPassword = `${account.password} after reset`;
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('status')).toHaveText('Your password was changed. Log in with the new one.');
  await logIn(page, account.username, newPassword);
  await expect(homeHeading(page)).toBeVisible();

  // The link worked once.
  await page.goto(link);
  await page.getByLabel('New password').fill(`${newPassword} again`);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText('This link is invalid, has expired or was already used.');
});

test('verifying the email from the mailed link; the banner offers a resend until then', async ({ page }) => {
  const account = newAccount('verify');
  await signUp(page, account);
  const banner = page.getByRole('region', { name: 'Email verification' });
  await expect(banner).toContainText('you need a verified address to send messages and join servers');
  await screenshot(page, '23-verify-email-banner');
  await expectAccessible(page);

  await banner.getByRole('button', { name: 'Resend email' }).click();
  await expect(banner.getByRole('status')).toHaveText(`We sent a new link to ${account.email}. It works for 24 hours.`);
  // The sign-up mail and the resent one: the newest link is the one to use (both work until one is used).
  const link = await mailedLink(account.email, 'verify-email', 2);

  await page.goto(link);
  await expect(page.getByRole('status').filter({ hasText: 'is verified' })).toHaveText(`Your email address ${account.email} is verified.`);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Continue to KamaChat' }).click();
  await expect(homeHeading(page)).toBeVisible();
  await expect(banner).toHaveCount(0);
  await page.goto('/settings/account');
  await expect(page.getByText('Verified', { exact: true })).toBeVisible();

  // A spent link says so.
  await page.goto(link);
  await expect(page.getByRole('alert')).toHaveText(/invalid, has expired or was already used/);
});

test('changing the email: check the new inbox, confirm from the link', async ({ page }) => {
  const account = newAccount('move');
  const newEmail = `new_${account.email}`;
  await signUp(page, account);
  await page.goto('/settings/account');
  await page.getByLabel('New email').fill(newEmail);
  await page.getByLabel('Current password').fill(account.password);
  await page.getByRole('button', { name: 'Send confirmation link' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Check your new inbox' })).toContainText(newEmail);
  await expectAccessible(page);

  const link = await mailedLink(newEmail, 'confirm-email-change');
  await page.goto(link);
  await expect(page.getByRole('status').filter({ hasText: 'Your email address is now' })).toHaveText(
    `Your email address is now ${newEmail}.`,
  );
  await page.goto('/settings/account');
  await expect(page.getByRole('definition').filter({ hasText: newEmail })).toBeVisible();
});

test('an emailed link that is cut short explains itself', async ({ page }) => {
  await page.goto('/verify-email?userId=1');
  await expect(page.getByRole('alert')).toHaveText(/This link is incomplete/);
  await expectAccessible(page);
  await page.goto('/verify-email?userId=1&token=bogus');
  await expect(page.getByRole('alert')).toHaveText(/invalid, has expired or was already used/);
});
