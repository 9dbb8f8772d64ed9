import type { Page } from '@playwright/test';
import { ApiUser, logInAs } from '../support/chat';
import { expect, screenshot } from '../support/fixtures';
import { test, voiceLaunchOptions } from '../support/voice-server';

test.use({ launchOptions: voiceLaunchOptions });

/**
 * Voice channels end to end: two people join one voice channel through the UI of a KamaChat server whose Janus and
 * coturn are the voice lab's (support/voice-server.ts), each is listed for the other and receives the other's
 * microphone (the fake device's beeps, measured as decoded audio energy in getStats) — the owner's default one, as
 * the one chosen in the settings is gone, and the guest's only once they plug one in and press Unmute, as they
 * joined without one; muting stops that energy for the other side, and leaving
 * removes the participant.
 */

/** Audio received in the call so far: bytes and decoded energy, summed over the receiving PeerConnection's streams. */
function received(page: Page) {
  return page.evaluate(async () => {
    const call = (window as unknown as { kamachatVoice?: { receiverStats(): Promise<RTCStatsReport | null> } }).kamachatVoice;
    const totals = { bytes: 0, energy: 0 };
    (await call?.receiverStats())?.forEach((s: { type: string; kind?: string; bytesReceived?: number; totalAudioEnergy?: number }) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
      totals.bytes += s.bytesReceived ?? 0;
      totals.energy += s.totalAudioEnergy ?? 0;
    });
    return totals;
  });
}

async function expectHearing(page: Page) {
  const before = await received(page);
  await expect
    .poll(async () => (await received(page)).energy, { timeout: 15_000, message: 'decoded audio energy should grow' })
    .toBeGreaterThan(before.energy);
}

test('two people in a voice channel see and hear each other; mute silences, leaving removes', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const owner = await ApiUser.register(baseURL!, 'voice');
  const guest = await ApiUser.register(baseURL!, 'voice');
  const { server } = await owner.createServer('Voice test');
  const lounge = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/channels`, { name: 'Lounge', type: 'voice' });
  await guest.joinServer(owner, server.id);

  const people = [await logInAs(browser, baseURL!, owner), await logInAs(browser, baseURL!, guest)];
  const [a, b] = people.map((p) => p.page);
  // The owner's chosen microphone (Voice & Video settings) is gone: the call opens the default one, heard below.
  await a.evaluate(() => localStorage.setItem('kamachat.voice', JSON.stringify({ microphone: 'an-unplugged-headset' })));
  await a.goto(`/servers/${server.id}`);
  await a.getByRole('button', { name: /^Lounge \(voice\)/ }).click();
  const connected = (page: Page) => page.getByRole('region', { name: 'Voice' }).getByText('Voice connected');
  await expect(connected(a)).toBeVisible({ timeout: 15_000 });
  await expect(a.getByRole('region', { name: 'Voice' }).getByRole('button', { name: 'Mute', exact: true })).toBeVisible();
  // The guest follows a link to the channel: it says it is a voice channel and joins from there.
  await b.goto(`/servers/${server.id}/channels/${lounge.id}`);
  await expect(b.getByText('Lounge is a voice channel: join it to talk.')).toBeVisible();
  await expect(b.getByRole('heading', { level: 1, name: 'Lounge' })).toHaveText('🔊Lounge');
  // The guest has no microphone plugged in yet: told so, they join muted and listening.
  await b.evaluate(() => {
    const devices = navigator.mediaDevices;
    const open = devices.getUserMedia.bind(devices);
    devices.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    (window as unknown as { plugIn: () => void }).plugIn = () => (devices.getUserMedia = open);
  });
  await b.getByRole('button', { name: 'Join voice' }).click();
  await expect(connected(b)).toBeVisible({ timeout: 15_000 });
  for (const page of [a, b]) await expect(page.getByRole('list', { name: 'In Lounge' }).getByRole('listitem')).toHaveCount(2);
  const guestVoice = b.getByRole('region', { name: 'Voice' });
  await expect(guestVoice.getByRole('alert')).toContainText('No microphone was found.');
  await expect(a.getByRole('list', { name: 'In Lounge' }).getByText('muted')).toHaveCount(1);
  // Plugged in, Unmute opens it and sends it on the m-line published for it: the owner hears the guest below.
  await b.evaluate(() => (window as unknown as { plugIn: () => void }).plugIn());
  await guestVoice.getByRole('button', { name: 'Unmute' }).click();
  await expect(guestVoice.getByRole('button', { name: 'Mute', exact: true })).toBeVisible();
  await expect(a.getByRole('list', { name: 'In Lounge' }).getByText('muted')).toHaveCount(0);

  await expectHearing(a);
  await expectHearing(b);
  await screenshot(a, '26-voice-channel');

  await a.getByRole('region', { name: 'Voice' }).getByRole('button', { name: 'Mute' }).click();
  await expect(b.getByRole('list', { name: 'In Lounge' }).getByText('muted')).toHaveCount(1);
  // What was in flight drains, then nothing more is heard from the muted side.
  await b.waitForTimeout(500);
  const before = await received(b);
  await b.waitForTimeout(2_000);
  expect((await received(b)).energy - before.energy).toBeLessThan(1e-4);
  await expectHearing(a);

  await b.getByRole('region', { name: 'Voice' }).getByRole('button', { name: 'Disconnect' }).click();
  await expect(a.getByRole('list', { name: 'In Lounge' }).getByRole('listitem')).toHaveCount(1);
  await expect(b.getByRole('region', { name: 'Voice' })).toHaveCount(0);
  for (const { context } of people) await context.close();
});
