import { expect, expectAccessible, newAccount, screenshot, signUp, test, homeHeading } from '../support/fixtures';

test.use({ viewport: { width: 390, height: 844 } });

test('on a phone-sized screen, home and settings fit and stay usable', async ({ page }) => {
  await signUp(page, newAccount('phone'));
  await expect(homeHeading(page)).toBeVisible();
  // The DM sidebar folds away; settings stay reachable from the rail.
  await expect(page.getByRole('complementary', { name: 'Direct messages' })).toBeHidden();
  await screenshot(page, '09-mobile-home');

  await page.getByRole('link', { name: 'User settings' }).click();
  await expect(page.getByRole('heading', { name: 'Profile', level: 1 })).toBeVisible();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Sessions' }).click();
  await expect(page.getByTestId('session')).toHaveCount(1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'no horizontal page scroll').toBeLessThanOrEqual(0);
  await expectAccessible(page);
  await screenshot(page, '10-mobile-settings-sessions');
});

test('login works with the keyboard alone', async ({ page }) => {
  const account = newAccount('keys');
  await signUp(page, account);
  await page.evaluate(() => localStorage.clear());
  await page.goto('/login');
  // The first field has focus; Tab moves through the form and Enter submits it.
  await expect(page.getByLabel('Email or username')).toBeFocused();
  await page.keyboard.type(account.username);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(account.password);
  await page.keyboard.press('Enter');
  await expect(homeHeading(page)).toBeVisible();
});
