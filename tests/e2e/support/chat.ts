import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { newAccount, signUp, type Account, homeHeading } from './fixtures';

/** A user driven through the REST API from the test (for seeding), refreshing its access token when it expires. */
export class ApiUser {
  id = '';
  private access = '';
  private refresh = '';
  constructor(
    readonly baseURL: string,
    readonly account: Account,
  ) {}

  static async register(baseURL: string, prefix = 'api'): Promise<ApiUser> {
    const user = new ApiUser(baseURL, newAccount(prefix));
    const response = await fetch(`${baseURL}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.account.email, username: user.account.username, password: user.account.password }),
    });
    if (!response.ok) throw new Error(`register: ${response.status} ${await response.text()}`);
    user.take(await response.json());
    return user;
  }

  private take(tokens: { accessToken: string; refreshToken: string; user: { id: string } }) {
    this.access = tokens.accessToken;
    this.refresh = tokens.refreshToken;
    this.id = tokens.user.id;
  }

  private renewing: Promise<void> | null = null;
  private renew(used: string) {
    if (this.access !== used) return Promise.resolve();
    this.renewing ??= (async () => {
      const response = await fetch(`${this.baseURL}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: this.refresh }),
      });
      if (!response.ok) throw new Error(`refresh: ${response.status}`);
      this.take(await response.json());
    })().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const used = this.access;
      const response = await fetch(`${this.baseURL}${path}`, {
        method,
        headers: { authorization: `Bearer ${used}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status === 401 && attempt < 3) {
        await this.renew(used);
        continue;
      }
      if (response.status === 429 && attempt < 10) {
        await new Promise((r) => setTimeout(r, 1000 * Number(response.headers.get('retry-after') ?? 1)));
        continue;
      }
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (response.status === 204 ? undefined : await response.json()) as T;
    }
  }

  send(channelId: string, content: string) {
    return this.call<{ id: string }>('POST', `/api/v1/channels/${channelId}/messages`, { content });
  }

  /** A new server of this user's, and the #general channel it starts with. */
  async createServer(name: string) {
    const server = await this.call<{ id: string }>('POST', '/api/v1/servers', { name });
    const channels = await this.call<{ id: string; type: string }[]>('GET', `/api/v1/servers/${server.id}/channels`);
    return { server, general: channels.find((c) => c.type === 'text')! };
  }

  /** Joins a server through a fresh invite from `inviter`, as a person following the link would. */
  async joinServer(inviter: ApiUser, serverId: string) {
    const invite = await inviter.call<{ code: string }>('POST', `/api/v1/servers/${serverId}/invites`, {
      maxUses: 0,
      maxAgeSeconds: 3600,
      temporary: false,
    });
    await this.call('POST', `/api/v1/invites/${invite.code}/join`);
  }
}

/** Signs a browser user up in a fresh context. */
export async function browserUser(
  browser: Browser,
  baseURL: string,
  prefix: string,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; account: Account }> {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  const account = newAccount(prefix);
  await signUp(page, account);
  return { context, page, account };
}

/** Signs an API-made user in through the login page. */
export async function logInAs(browser: Browser, baseURL: string, user: ApiUser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  await logInOn(page, user);
  return { context, page };
}

/** Signs an API-made user in on a page of a context the caller prepared (permissions, init scripts). */
export async function logInOn(page: Page, user: ApiUser) {
  await page.goto('/login');
  await page.getByLabel('Email or username').fill(user.account.username);
  await page.getByLabel('Password').fill(user.account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(homeHeading(page)).toBeVisible();
}

/** Runs tasks with at most `concurrency` at a time. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

export const messageContent = (page: Page, text: string) =>
  page.getByTestId('message-content').filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\(edited\\))?$`) });

export const composer = (page: Page) => page.getByRole('textbox', { name: /^Message / });
