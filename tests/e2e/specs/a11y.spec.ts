import { expect, expectAccessible, newAccount, signUp, test, homeHeading } from '../support/fixtures';

test('login and signup have no serious accessibility violations, in dark and light', async ({ page }) => {
  for (const theme of ['dark', 'light']) {
    await page.goto('/login');
    await page.evaluate((value) => localStorage.setItem('kamachat.theme', value), theme);
    await page.reload();
    await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
    await expectAccessible(page);
    await page.goto('/signup');
    await expect(page.getByRole('button', { name: 'Continue' })).toBeVisible();
    await expectAccessible(page);
  }
});

// One test per theme: each visits five pages and runs axe on each, which on a busy two-core machine is most of a test's time.
for (const theme of ['dark', 'light']) {
  test(`home and settings have no serious accessibility violations, in the ${theme} theme`, async ({ page }) => {
    await signUp(page, newAccount('axe'));
    await page.evaluate((value) => localStorage.setItem('kamachat.theme', value), theme);
    await page.goto('/');
    await expect(homeHeading(page)).toBeVisible();
    await expectAccessible(page);
    for (const [section, heading] of [
      ['profile', 'Profile'],
      ['account', 'My account'],
      ['sessions', 'Sessions'],
      ['appearance', 'Appearance'],
    ]) {
      await page.goto(`/settings/${section}`);
      await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
      await expect(page.getByText('Loading')).toHaveCount(0);
      await expectAccessible(page);
    }
  });
}

test('the skip link moves focus to the main content', async ({ page }) => {
  await signUp(page, newAccount('skip'));
  await page.goto('/');
  // The page's code loads on demand: press Tab once it is there, not during the loading placeholder.
  await expect(homeHeading(page)).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();
});
