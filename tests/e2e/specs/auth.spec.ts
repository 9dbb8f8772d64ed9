import { expect, logIn, newAccount, screenshot, signUp, test, homeHeading } from '../support/fixtures';

test('signing up lands on home', async ({ page }) => {
  const account = newAccount('ada');
  await page.goto('/signup');
  await screenshot(page, '01-signup');
  await signUp(page, account);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('complementary', { name: 'Direct messages' }).getByText(account.username, { exact: true })).toBeVisible();
  await screenshot(page, '03-home');
});

test('logging out and in again with the username', async ({ page }) => {
  const account = newAccount('grace');
  await signUp(page, account);
  await page.getByRole('link', { name: 'User settings' }).last().click();
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByRole('main').getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await screenshot(page, '02-login');

  await logIn(page, account.username, account.password);
  await expect(homeHeading(page)).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
  // Still signed in after a reload: the tokens were kept.
  await page.reload();
  await expect(homeHeading(page)).toBeVisible();
});

test('a wrong password shows the server’s message', async ({ page }) => {
  const account = newAccount('alan');
  await signUp(page, account);
  await page.evaluate(() => localStorage.clear());
  await page.goto('/login');
  await logIn(page, account.email, 'not the right password');
  await expect(page.getByRole('alert')).toHaveText('The login or password is incorrect.');
  await expect(page).toHaveURL(/\/login$/);
  await screenshot(page, '02b-login-error');
});

test('signing up with a taken username shows the error under the username field', async ({ page }) => {
  const first = newAccount('taken');
  await signUp(page, first);
  await page.evaluate(() => localStorage.clear());

  await page.goto('/signup');
  await page.getByLabel('Email').fill(`other_${first.email}`);
  await page.getByLabel('Username').fill(first.username);
  await page.getByLabel('Password').fill(first.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  const username = page.getByLabel('Username');
  await expect(username).toHaveAccessibleDescription('This username is taken.');
  await expect(username).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Email')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/\/signup$/);
});

test('server validation errors show under the right inputs', async ({ page }) => {
  await page.goto('/signup');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Username').fill('x');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByLabel('Email')).toHaveAccessibleDescription('Enter a valid email address.');
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
});

test('a signed-out visitor is sent to login and comes back after', async ({ page }) => {
  const account = newAccount('return');
  await signUp(page, account);
  await page.evaluate(() => localStorage.clear());
  await page.goto('/settings/account');
  await expect(page).toHaveURL(/\/login$/);
  await logIn(page, account.username, account.password);
  await expect(page).toHaveURL(/\/settings\/account$/);
  await expect(page.getByText(account.email)).toBeVisible();
  await expect(page.getByText('Not verified')).toBeVisible();
});
