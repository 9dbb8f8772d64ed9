import type { Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './chromium';
import { expect, test as suite } from './fixtures';
import { startServer, type RunningServer } from './server';
import { startVoiceLab, type VoiceLab } from './voice-lab';
import { fakeMediaArgs, type PeerAudio } from './webrtc';

/**
 * Tests of peer-to-peer calls (DM calls, voice channels without Janus) against a KamaChat server whose only media
 * relay is a voice lab's coturn (support/voice-lab.ts), one per worker: it runs with TURN_RELAY_ONLY, so the browsers
 * get iceTransportPolicy "relay" and never use the machine's own address.
 */
export const test = suite.extend<object, { peerServer: RunningServer & { lab: VoiceLab } }>({
  peerServer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads what a fixture depends on from this pattern.
    async ({}, use) => {
      const lab = await startVoiceLab();
      const server = await startServer({ TURN_URLS: lab.turnUrl, TURN_SECRET: lab.turnSecret, TURN_RELAY_ONLY: 'true' });
      await use({ ...server, lab });
      await server.stop();
      await lab.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ peerServer }, use) => use(peerServer.baseURL),
});

/**
 * The browser those specs need (fake camera, microphone and screen; autoplay). Each spec passes it to its own test.use: called
 * here, in a module several specs import, Playwright would see it for the first of them only.
 */
export const peerLaunchOptions = {
  executablePath: chromiumPath,
  args: [
    ...chromiumArgs,
    ...fakeMediaArgs,
    '--autoplay-policy=no-user-gesture-required',
    // getDisplayMedia without a picker: with the fake devices Chromium shares a generated screen.
    '--auto-select-desktop-capture-source=Entire screen',
  ],
};

/** The page hears the other side: decoded audio energy grows, and so do the audio bytes received. */
export async function expectHearing(page: Page, received: (page: Page) => Promise<PeerAudio>) {
  const before = await received(page);
  await expect
    .poll(async () => (await received(page)).energy, { timeout: 15_000, message: 'decoded audio energy should grow' })
    .toBeGreaterThan(before.energy);
  // Awaited, not read once: energy comes from playout, bytes from the network, and under load playout can count a
  // moment (concealment included) before the next packet's stats land (full run: energy grew, bytes still 171).
  await expect
    .poll(async () => (await received(page)).bytes, { timeout: 15_000, message: 'audio bytes received should grow' })
    .toBeGreaterThan(before.bytes);
}
