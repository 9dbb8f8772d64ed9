import { chromium, type Browser, type Page } from '@playwright/test';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiUser, logInAs } from '../support/chat';
import { chromiumPath } from '../support/chromium';
import { expect, test } from '../support/fixtures';
import { expectHearing, peerLaunchOptions } from '../support/peer-call-server';
import { peerAudio } from '../support/webrtc';

/**
 * A DM call straight between the two browsers, with no TURN: the suite's server hands out no ICE servers and the
 * policy "all", so the pages call each other over host candidates. Chromium gathers no loopback candidates unless
 * told to (--allow-loopback-in-peer-connection), and test media must not touch the machine's real interfaces, so this
 * browser runs in a network namespace of its own that has only a loopback (root, as in CI): its only host candidates
 * are 127.0.0.1. The server is reached from there through a Unix socket (files cross network namespaces): a forwarder
 * inside listens on the server's port on the namespace's loopback, one in this process carries it on to the server.
 */
const received = (page: Page) => peerAudio(page, 'kamachatCall', 'peerStats');

/** Runs inside the namespace: 127.0.0.1:port → the Unix socket; exits once Chromium (its parent) is gone. */
const innerForwarder = `
const net = require('node:net');
const [port, socket] = process.argv.slice(2);
const parent = process.ppid;
net.createServer((c) => { const u = net.connect(socket); c.pipe(u).pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); })
  .listen(Number(port), '127.0.0.1');
setInterval(() => process.ppid !== parent && process.exit(0), 500);
`;

let browser: Browser;
let outer: Server;
let workDir = '';

test.beforeAll(async () => {
  const port = new URL(process.env.KAMACHAT_E2E_URL!).port;
  workDir = mkdtempSync(path.join(tmpdir(), 'kamachat-loopback-chromium-'));
  const socket = path.join(workDir, 'server.sock');
  outer = createServer((c) => {
    const s = connect(Number(port), '127.0.0.1');
    c.pipe(s).pipe(c);
    c.on('error', () => s.destroy());
    s.on('error', () => c.destroy());
  });
  await new Promise<void>((resolve) => outer.listen(socket, resolve));
  const forwarder = path.join(workDir, 'forward.cjs');
  writeFileSync(forwarder, innerForwarder);
  // A new network namespace (its loopback is down until raised), the forwarder, then the real Chromium with
  // Playwright's arguments and pipes.
  const wrapper = path.join(workDir, 'chromium');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec unshare --net -- sh -c 'ip link set lo up || exit 1; "${process.execPath}" "${forwarder}" ${port} "${socket}" & exec "$0" "$@"' '${chromiumPath}' "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  browser = await chromium.launch({
    ...peerLaunchOptions,
    executablePath: wrapper,
    args: [...peerLaunchOptions.args, '--allow-loopback-in-peer-connection'],
  });
});

test.afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (outer ? outer.close(resolve) : resolve(undefined)));
  rmSync(workDir, { recursive: true, force: true });
});

test('two users call each other peer to peer over host candidates and hear each other', async ({ baseURL }) => {
  test.setTimeout(60_000);
  const alice = await ApiUser.register(baseURL!, 'direct');
  const bob = await ApiUser.register(baseURL!, 'direct');
  const dm = await alice.call<{ id: string }>('POST', '/api/v1/users/@me/channels', { recipientId: bob.id });
  const caller = await logInAs(browser, baseURL!, alice);
  const callee = await logInAs(browser, baseURL!, bob);
  await caller.page.goto(`/channels/@me/${dm.id}`);
  await callee.page.goto('/');

  await caller.page.getByRole('button', { name: 'Start call' }).click();
  await callee.page.getByRole('dialog', { name: 'Incoming call' }).getByRole('button', { name: 'Accept' }).click();
  for (const page of [caller.page, callee.page])
    await expect(page.getByRole('region', { name: 'Call' }).getByText('In call')).toBeVisible({ timeout: 15_000 });

  await expectHearing(caller.page, received);
  await expectHearing(callee.page, received);
  for (const page of [caller.page, callee.page]) expect((await received(page)).pairs).toEqual(['host-host']);

  await caller.page.getByRole('region', { name: 'Call' }).getByRole('button', { name: 'Hang up' }).click();
  await expect(callee.page.getByRole('region', { name: 'Call' })).toHaveCount(0);
  for (const { context } of [caller, callee]) await context.close();
});
