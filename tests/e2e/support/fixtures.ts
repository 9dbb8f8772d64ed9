import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { screenshotDir } from './paths';

export interface Account {
  email: string;
  username: string;
  password: string;
}

let counter = 0;
/** A fresh account's details; unique per run and per call. */
export function newAccount(prefix = 'user'): Account {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
  const username = `${prefix}_${id}`.slice(0, 32);
  return { email: `${username}@example.com`, username, password: `Kama chat e2e ${id} passphrase` };
}

export const test = base.extend({
  // Global setup picks the server's port and publishes it through the environment.
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none.
  baseURL: async ({}, use) => {
    const url = process.env.KAMACHAT_E2E_URL;
    if (!url) throw new Error('KAMACHAT_E2E_URL is not set: global setup did not start the server');
    await use(url);
  },
});
export { expect };

/**
 * Home's heading once signed in: "Select a conversation", or for someone with no servers and no conversations yet
 * the first-run welcome; on a phone, where Home is the conversation list, that list's "Direct Messages". The last
 * one shown: on a wide screen the list's heading and the main area's are both there, and the main area's comes last.
 */
export const homeHeading = (page: Page) =>
  page
    .getByRole('heading', { name: /^(Select a conversation|Welcome to KamaChat|Direct Messages)$/ })
    .filter({ visible: true })
    .last();

/** Signs up through the page; `origin` serves the client from elsewhere than the server (hosted-client spec). */
export async function signUp(page: Page, account: Account, origin = '') {
  await page.goto(`${origin}/signup`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(homeHeading(page)).toBeVisible();
}

export async function logIn(page: Page, login: string, password: string) {
  await page.getByLabel('Email or username').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Runs axe and fails on serious or critical violations, listing them readably. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map(
    (v) =>
      `${v.impact} ${v.id}: ${v.help} (${v.nodes
        .slice(0, 3)
        .map((n) => `${n.html} ${n.failureSummary ?? ''}`)
        .join(' | ')})`,
  );
  expect(summary, `serious or critical accessibility violations on ${page.url()}`).toEqual([]);
}
