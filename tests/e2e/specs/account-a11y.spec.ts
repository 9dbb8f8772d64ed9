import { expect, expectAccessible, newAccount, signUp, test } from '../support/fixtures';

// One test per theme: each walks seven pages with an axe run on each, which is one test's worth of work.
for (const theme of ['dark', 'light']) {
  test(`the account security pages have no serious accessibility violations, in the ${theme} theme`, async ({ page }) => {
    const account = newAccount('axesec');
    await signUp(page, account);
    await page.evaluate((value) => localStorage.setItem('kamachat.theme', value), theme);

    // The verification banner on home, and the security settings in their first two states.
    await page.goto('/');
    await expect(page.getByRole('region', { name: 'Email verification' })).toBeVisible();
    await expectAccessible(page);
    await page.goto('/settings/security');
    await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
    await expect(page.getByText('Loading')).toHaveCount(0);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await expect(page.getByTestId('totp-secret')).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.goto('/settings/account');
    await expect(page.getByRole('heading', { name: 'Change email' })).toBeVisible();
    await expectAccessible(page);

    // The pages emailed links open, signed in or out.
    for (const [path, ready] of [
      ['/forgot-password', 'Send reset link'],
      ['/reset-password?userId=1&token=x', 'Change password'],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole('button', { name: ready })).toBeVisible();
      await expectAccessible(page);
    }
    await page.goto('/confirm-email-change?userId=1&newEmail=a%40example.com&token=x');
    await expect(page.getByRole('alert')).toBeVisible();
    await expectAccessible(page);
  });
}
