import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { ApiUser, logInAs } from '../support/chat';
import { chromiumArgs, chromiumPath } from '../support/chromium';
import { expect } from '../support/fixtures';
import { test, voiceLaunchOptions } from '../support/voice-server';
import { fakeMediaArgs } from '../support/webrtc';

test.use({ launchOptions: voiceLaunchOptions });

/**
 * How calls end when the server ends them or the client is gone: a kicked member's media stops reaching the others
 * within a second; a tab that freezes (its process stopped, so its socket stays open) drops out of the channel for
 * the others within the voice lease (KAMACHAT_VOICE_LEASE_SECONDS, 6 s by default), comes back by itself when it
 * thaws, and a tab whose process is killed drops out at once.
 */

const LEASE_MS = 6_000;

type Received = Record<string, { kind: string; bytes: number }[]>;
interface VoiceWindow {
  kamachatVoice?: { receivedByUser(): Promise<Received> };
}

/** Audio bytes <page> has received from <userId> so far. */
const heard = (page: Page, userId: string) =>
  page.evaluate(async (userId) => {
    const received = (await (window as VoiceWindow).kamachatVoice?.receivedByUser()) ?? {};
    return (received[userId] ?? []).filter((s) => s.kind === 'audio').reduce((sum, s) => sum + s.bytes, 0);
  }, userId);

async function expectHearing(page: Page, userId: string) {
  const before = await heard(page, userId);
  await expect.poll(() => heard(page, userId), { timeout: 20_000, message: `audio from ${userId} should arrive` }).toBeGreaterThan(before);
}

/**
 * Samples, in the page, the audio bytes received from <userId> every 50 ms for <ms>, and resolves with the time
 * (Date.now()) it last saw them grow.
 */
const lastGrowth = (page: Page, userId: string, ms: number) =>
  page.evaluate(
    async ({ userId, ms }) => {
      const voice = (window as VoiceWindow).kamachatVoice;
      let most = -1;
      let at = 0;
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
        const received = (await voice?.receivedByUser()) ?? {};
        const bytes = (received[userId] ?? []).filter((s) => s.kind === 'audio').reduce((sum, s) => sum + s.bytes, 0);
        if (bytes > most) [most, at] = [bytes, Date.now()];
      }
      return at;
    },
    { userId, ms },
  );

/** A measuring window (not a wait for a condition: what is measured is that nothing changes in it). */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The renderer processes under a browser process (its tabs). */
function renderers(browserPid: number): number[] {
  const children = new Map<number, number[]>();
  const commands = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), pid]);
      commands.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const visit = (pid: number) =>
    (children.get(pid) ?? []).forEach((child) => {
      if (commands.get(child)?.includes('--type=renderer')) found.push(child);
      visit(child);
    });
  visit(browserPid);
  return found;
}

async function joinLounge(page: Page, serverId: string) {
  await page.goto(`/servers/${serverId}`);
  await page.getByRole('button', { name: /^Lounge \(voice\)/ }).click();
  await expect(page.getByRole('region', { name: 'Voice' }).getByText('Voice connected')).toBeVisible({ timeout: 20_000 });
}

async function lounge(prefix: string, baseURL: string) {
  const owner = await ApiUser.register(baseURL, prefix);
  const guest = await ApiUser.register(baseURL, prefix);
  const { server } = await owner.createServer('Lease test');
  await owner.call('POST', `/api/v1/servers/${server.id}/channels`, { name: 'Lounge', type: 'voice' });
  await guest.joinServer(owner, server.id);
  return { owner, guest, serverId: server.id as string };
}

test('kicking a member ends their media for the others within a second', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const { owner, guest, serverId } = await lounge('kick', baseURL!);
  const people = [await logInAs(browser, baseURL!, owner), await logInAs(browser, baseURL!, guest)];
  for (const { page } of people) await joinLounge(page, serverId);
  const [ownerPage, guestPage] = people.map((p) => p.page);
  await expectHearing(ownerPage, guest.id);

  const sampling = lastGrowth(ownerPage, guest.id, 3_000);
  // A few samples of the audio still arriving before the kick.
  await pause(300);
  const askedAt = Date.now();
  await owner.call('DELETE', `/api/v1/servers/${serverId}/members/${guest.id}`);
  // The kick is done (committed) when the server answers: from then on, within a second.
  const kickedAt = Date.now();
  const stoppedAt = await sampling;
  console.log(`kick answered in ${kickedAt - askedAt} ms; the guest's audio stopped ${stoppedAt - kickedAt} ms after`);
  expect(stoppedAt, 'audio from the guest was arriving until the kick').toBeGreaterThan(askedAt - 200);
  expect(stoppedAt - kickedAt, 'the kicked guest’s audio stops reaching the owner').toBeLessThan(1_000);
  // Their own client closed the call too, and the owner sees them gone.
  await expect(guestPage.getByRole('region', { name: 'Voice' })).toHaveCount(0);
  await expect(ownerPage.getByRole('list', { name: 'In Lounge' }).getByRole('listitem')).toHaveCount(1);
  for (const { context } of people) await context.close();
});

test('a frozen tab leaves the voice channel within the lease and rejoins when it thaws; a killed tab leaves at once', async ({
  browser,
  baseURL,
  playwright,
}) => {
  test.setTimeout(120_000);
  const { owner, guest, serverId } = await lounge('lease', baseURL!);
  // The guest in a browser of their own, whose processes the test can stop and kill.
  const guestServer = await playwright.chromium.launchServer({
    executablePath: chromiumPath,
    args: [...chromiumArgs, ...fakeMediaArgs, '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const guestBrowser = await playwright.chromium.connect(guestServer.wsEndpoint());
    const watcher = await logInAs(browser, baseURL!, owner);
    const tab = await logInAs(guestBrowser, baseURL!, guest);
    await joinLounge(watcher.page, serverId);
    await joinLounge(tab.page, serverId);
    const inLounge = watcher.page.getByRole('list', { name: 'In Lounge' }).getByRole('listitem');
    await expect(inLounge).toHaveCount(2);
    await expectHearing(watcher.page, guest.id);

    // Frozen: the tab's process stops (no heartbeat, no media), its socket stays open.
    const tabs = renderers(guestServer.process().pid!);
    expect(tabs.length).toBeGreaterThan(0);
    tabs.forEach((pid) => process.kill(pid, 'SIGSTOP'));
    const frozenAt = Date.now();
    await expect(inLounge).toHaveCount(1, { timeout: LEASE_MS + 4_000 });
    expect(Date.now() - frozenAt).toBeLessThan(LEASE_MS + 2_000);
    const gone = await heard(watcher.page, guest.id);
    await pause(1_000);
    expect(await heard(watcher.page, guest.id), 'nothing more arrives from the frozen tab').toBe(gone);

    // Thawed: told its call expired, it joins again by itself.
    tabs.forEach((pid) => process.kill(pid, 'SIGCONT'));
    await expect(inLounge).toHaveCount(2, { timeout: 20_000 });
    await expectHearing(watcher.page, guest.id);

    // Killed: the browser closes the tab's socket, and the call ends at once.
    renderers(guestServer.process().pid!).forEach((pid) => process.kill(pid, 'SIGKILL'));
    const killedAt = Date.now();
    await expect(inLounge).toHaveCount(1, { timeout: LEASE_MS + 4_000 });
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS);
    await watcher.context.close();
  } finally {
    await guestServer.kill();
  }
});
