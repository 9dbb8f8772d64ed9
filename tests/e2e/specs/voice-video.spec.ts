import type { Page } from '@playwright/test';
import { ApiUser, logInAs } from '../support/chat';
import { expect, screenshot } from '../support/fixtures';
import { test, voiceLaunchOptions } from '../support/voice-server';

test.use({ launchOptions: voiceLaunchOptions });

/**
 * Camera and screen share through Janus with three people: each turns the camera on and receives the other two's
 * sound and pictures (inbound-rtp bytes growing, frames decoded); one then shares the screen (camera off, so frames
 * decoded after that are the screen's) and the other two decode it; the owner server-mutes a member and Janus stops
 * forwarding their sound whatever their client sends; finally VIDEO is taken from the members: their
 * cameras go off for everyone, they stay in the call, and one who forces a video publish from the console is refused
 * by the server.
 */

interface Stream {
  mid: string;
  kind: string;
  bytes: number;
  framesDecoded: number;
}
type Received = Record<string, Stream[]>;

const received = (page: Page) =>
  page.evaluate(() => (window as unknown as { kamachatVoice: { receivedByUser(): Promise<Received> } }).kamachatVoice.receivedByUser());

const total = (streams: Stream[] | undefined, kind: string, field: 'bytes' | 'framesDecoded') =>
  (streams ?? []).filter((s) => s.kind === kind).reduce((sum, s) => sum + s[field], 0);

/** Waits until <page> has received more audio bytes (and decoded more video frames) from <userId> than it had. */
async function expectReceiving(page: Page, userId: string, video = true) {
  const before = (await received(page))[userId];
  const kinds = [['audio', 'bytes'] as const, ['video', 'framesDecoded'] as const].slice(0, video ? 2 : 1);
  for (const [kind, field] of kinds)
    await expect
      .poll(async () => total((await received(page))[userId], kind, field), {
        timeout: 20_000,
        message: `${kind} ${field} from ${userId} should grow`,
      })
      .toBeGreaterThan(total(before, kind, field));
}

const voice = (page: Page) => page.getByRole('region', { name: 'Voice' });

test('three people see and hear each other through Janus, one shares a screen, and video without VIDEO is refused', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const owner = await ApiUser.register(baseURL!, 'video');
  const users = [owner, await ApiUser.register(baseURL!, 'video'), await ApiUser.register(baseURL!, 'video')];
  const { server } = await owner.createServer('Video test');
  await owner.call('POST', `/api/v1/servers/${server.id}/channels`, { name: 'Stage', type: 'voice' });
  for (const guest of users.slice(1)) await guest.joinServer(owner, server.id);

  const people = [];
  for (const user of users) people.push(await logInAs(browser, baseURL!, user));
  const pages = people.map((p) => p.page);
  const ids = users.map((u) => u.id);
  for (const page of pages) {
    await page.goto(`/servers/${server.id}`);
    await page.getByRole('button', { name: /^Stage \(voice\)/ }).click();
    await expect(voice(page).getByText('Voice connected')).toBeVisible({ timeout: 20_000 });
    await voice(page).getByRole('button', { name: 'Camera' }).click();
    await expect(voice(page).getByRole('button', { name: 'Camera off' })).toBeVisible();
  }
  for (const page of pages) await expect(page.getByRole('list', { name: 'In Stage' }).getByText('camera on')).toHaveCount(3);

  for (const [i, page] of pages.entries()) for (const id of ids.filter((_, j) => j !== i)) await expectReceiving(page, id);
  for (const page of pages) await expect(page.getByRole('region', { name: 'Videos' }).getByRole('button')).toHaveCount(3);
  await screenshot(pages[0], '27-voice-video-grid');

  // The third shares the screen (with the fake screen's sound): their camera stops, what the others decode is the screen.
  const [first, second, sharer] = pages;
  await voice(sharer).getByRole('button', { name: 'Share screen' }).click();
  await expect(voice(sharer).getByRole('button', { name: 'Stop sharing' })).toBeVisible();
  for (const page of [first, second]) {
    await expect(page.getByRole('list', { name: 'In Stage' }).getByText('sharing the screen')).toHaveCount(1);
    const screen = page.getByRole('region', { name: 'Videos' }).getByRole('button', { name: /^Screen of / });
    await expect(screen).toHaveCount(1);
    await expectReceiving(page, ids[2]);
    // Focus: the screen large, the cameras in a strip.
    await screen.click();
    await expect(page.getByRole('button', { name: /^Screen of .*, focused$/ })).toBeVisible();
  }
  await expect
    .poll(async () => ((await received(first))[ids[2]] ?? []).filter((s) => s.kind === 'audio' && s.bytes > 0).length, {
      timeout: 20_000,
      message: 'the screen’s sound arrives as a second audio stream',
    })
    .toBe(2);
  await screenshot(first, '28-voice-screen-focused');

  // Server mute by the owner (MUTE_MEMBERS), sent from the console as the sidebar's menu does: the muted member's
  // client keeps sending, and Janus stops forwarding it; lifting it lets the sound through again.
  const moderate = (mute: boolean) =>
    first.evaluate(
      ([userId, mute]) =>
        (
          window as unknown as { kamachatVoice: { gateway: { invoke(m: string, ...a: unknown[]): Promise<unknown> } } }
        ).kamachatVoice.gateway.invoke('ModerateVoice', userId, { mute, deaf: null }),
      [ids[1], mute] as const,
    );
  await moderate(true);
  await expect(sharer.getByRole('list', { name: 'In Stage' }).getByText('server muted')).toHaveCount(1);
  await sharer.waitForTimeout(500);
  const heard = total((await received(sharer))[ids[1]], 'audio', 'bytes');
  await sharer.waitForTimeout(2_000);
  expect(total((await received(sharer))[ids[1]], 'audio', 'bytes') - heard).toBeLessThan(2_000);
  await moderate(false);
  await expectReceiving(sharer, ids[1], false);

  // VIDEO taken from @everyone: a member who forces a camera publish through the console is refused by the server.
  const roles = await owner.call<{ id: string; permissions: string }[]>('GET', `/api/v1/servers/${server.id}/roles`);
  const everyone = roles.find((r) => r.id === server.id)!;
  const video = 1n << 23n;
  await owner.call('PATCH', `/api/v1/servers/${server.id}/roles/${everyone.id}`, {
    permissions: (BigInt(everyone.permissions) & ~video).toString(),
  });
  // The members' clients take a fresh Ready on the role change and rejoin the call, now without camera controls;
  // only the owner's camera is still on.
  for (const page of [second, sharer]) {
    await expect(voice(page).getByText('Voice connected')).toBeVisible({ timeout: 20_000 });
    await expect(voice(page).getByRole('button', { name: /^Camera|^Share screen$|^Stop sharing$/ })).toHaveCount(0);
  }
  await expect(first.getByRole('list', { name: 'In Stage' }).getByRole('listitem')).toHaveCount(3);
  await expect(first.getByRole('list', { name: 'In Stage' }).getByText('camera on')).toHaveCount(1);
  await expectReceiving(first, ids[1], false);
  const refusal = await second.evaluate(async () => {
    const call = (window as unknown as { kamachatVoice: { gateway: { invoke(m: string, ...a: unknown[]): Promise<unknown> } } })
      .kamachatVoice;
    const camera = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const pc = new RTCPeerConnection();
    for (const track of camera.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    try {
      await call.gateway.invoke('PublishVoice', pc.localDescription!.sdp);
      return 'accepted';
    } catch (e) {
      return String(e);
    } finally {
      pc.close();
    }
  });
  expect(refusal).toContain('missing_permission: VIDEO');
  for (const { context } of people) await context.close();
});
