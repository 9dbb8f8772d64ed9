import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, expectAccessible, logIn, newAccount, screenshot, signUp, test, homeHeading, type Account } from '../support/fixtures';
import { createCodeSource } from '../support/totp';

async function logOut(page: Page) {
  await page.goto('/settings/security');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

async function passwordStep(page: Page, login: string, password: string) {
  await logIn(page, login, password);
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
}

/** Turns two-factor authentication on from the security settings; returns the code source and the recovery codes. */
async function enroll(page: Page, account: Account, { checkPage = false } = {}) {
  await page.goto('/settings/security');
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByRole('heading', { name: 'Set up two-factor authentication' })).toBeFocused();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toHaveAttribute(
    'src',
    /^data:image\/svg\+xml;base64,/,
  );
  const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  if (checkPage) {
    await screenshot(page, '20-2fa-enroll');
    await expectAccessible(page);
  }
  const codes = createCodeSource(secret);

  // A wrong code is refused under the field.
  await page.getByLabel('Authentication code').fill('000000');
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByLabel('Authentication code')).toHaveAccessibleDescription(/wrong or expired/);

  await page.getByLabel('Authentication code').fill(await codes.next());
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeFocused();
  const recovery = await page.getByTestId('recovery-code').allTextContents();
  expect(recovery).toHaveLength(10);
  if (checkPage) {
    await screenshot(page, '21-2fa-recovery-codes');
    // "Download" saves the codes as a text file.
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`kamachat-recovery-codes-${account.username}.txt`);
    const file = readFileSync((await download.path())!, 'utf8');
    for (const code of recovery) expect(file).toContain(code);
  }

  await page.getByRole('button', { name: /saved them/ }).click();
  await expect(page.getByText('Two-factor authentication is on.')).toBeVisible();
  await expect(page.getByText('10 of 10 recovery codes left')).toBeVisible();
  return { codes, recovery };
}

// Each test takes at most three codes, from increasing 30-second steps (the server refuses a step it already saw and
// accepts one step either side of now), so none waits for the clock.

test('two-factor authentication: enroll, log in with a code, and a recovery code works once', async ({ page }) => {
  // Two accessibility scans (each ~5 s on a quiet two-core machine) on top of the flow.
  test.setTimeout(60_000);
  const account = newAccount('totp');
  await signUp(page, account);
  const { codes, recovery } = await enroll(page, account, { checkPage: true });

  // The password alone no longer signs in: it leads to the code step, whose field has focus.
  await logOut(page);
  await passwordStep(page, account.username, account.password);
  const codeField = page.getByLabel('Authentication code');
  await expect(codeField).toBeFocused();
  await expect(codeField).toHaveAttribute('autocomplete', 'one-time-code');
  await screenshot(page, '22-login-2fa-step');
  await expectAccessible(page);
  await codeField.fill(await codes.next());
  await page.getByRole('button', { name: 'Verify and log in' }).click();
  await expect(homeHeading(page)).toBeVisible();

  // A recovery code signs in once.
  await logOut(page);
  await passwordStep(page, account.email, account.password);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(recovery[0]!.toLowerCase());
  await page.getByRole('button', { name: 'Verify and log in' }).click();
  await expect(homeHeading(page)).toBeVisible();

  await logOut(page);
  await passwordStep(page, account.email, account.password);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(recovery[0]!);
  await page.getByRole('button', { name: 'Verify and log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('That recovery code is wrong or was already used.');
  await page.getByLabel('Recovery code').fill(recovery[1]!);
  await page.getByRole('button', { name: 'Verify and log in' }).click();
  await expect(homeHeading(page)).toBeVisible();
  await page.goto('/settings/security');
  await expect(page.getByText('8 of 10 recovery codes left')).toBeVisible();
});

test('two-factor authentication: new recovery codes replace the old ones, and turning it off needs a second factor', async ({ page }) => {
  const account = newAccount('totp');
  await signUp(page, account);
  const { codes, recovery } = await enroll(page, account);

  // New recovery codes replace the old ones.
  await page.getByRole('button', { name: 'Generate new recovery codes' }).click();
  await expect(page.getByRole('heading', { name: 'New recovery codes' })).toBeFocused();
  await page.getByLabel('Authentication code').fill(await codes.next());
  await page.getByRole('button', { name: 'Generate new codes' }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeFocused();
  const renewed = await page.getByTestId('recovery-code').allTextContents();
  expect(renewed).toHaveLength(10);
  expect(renewed).not.toContain(recovery[0]);
  await page.getByRole('button', { name: /saved them/ }).click();
  await expect(page.getByText('10 of 10 recovery codes left')).toBeVisible();

  // Turning it off needs the password and a second factor: an old recovery code no longer is one.
  await page.getByRole('button', { name: 'Turn off' }).click();
  await expect(page.getByRole('heading', { name: 'Turn off two-factor authentication' })).toBeFocused();
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(recovery[0]!);
  await page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
  await expect(page.getByLabel('Recovery code')).toHaveAccessibleDescription('That code is wrong, expired or already used.');
  await page.getByRole('button', { name: 'Use your authenticator app' }).click();
  await page.getByLabel('Authentication code').fill(await codes.next());
  await page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
  await expect(page.getByText('Two-factor authentication is off.')).toBeVisible();

  // And the password alone signs in again.
  await logOut(page);
  await logIn(page, account.username, account.password);
  await expect(homeHeading(page)).toBeVisible();
});
