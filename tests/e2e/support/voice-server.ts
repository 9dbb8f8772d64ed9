import { chromiumArgs, chromiumPath } from './chromium';
import { test as suite } from './fixtures';
import { startServer, type RunningServer } from './server';
import { startVoiceLab, type VoiceLab } from './voice-lab';
import { fakeMediaArgs } from './webrtc';

/**
 * Tests against a KamaChat server whose Janus and coturn are a voice lab's (support/voice-lab.ts), one per worker,
 * with Chromium sending fake devices (and a fake screen for getDisplayMedia) and playing audio without a gesture.
 */
export const test = suite.extend<object, { voiceServer: RunningServer & { lab: VoiceLab } }>({
  voiceServer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads what a fixture depends on from this pattern.
    async ({}, use) => {
      const lab = await startVoiceLab();
      const server = await startServer({
        JANUS_URL: lab.janusUrl,
        JANUS_API_SECRET: lab.janusApiSecret,
        JANUS_ADMIN_KEY: lab.janusAdminKey,
        TURN_URLS: lab.turnUrl,
        TURN_SECRET: lab.turnSecret,
        STUN_URLS: lab.stunUrl,
      });
      await use({ ...server, lab });
      await server.stop();
      await lab.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ voiceServer }, use) => use(voiceServer.baseURL),
});

/**
 * The browser the voice specs need (fake camera, microphone and screen; autoplay). Each spec passes it to its own
 * test.use: called here, in a module several specs import, Playwright would see it for the first of them only.
 */
export const voiceLaunchOptions = {
  executablePath: chromiumPath,
  args: [
    ...chromiumArgs,
    ...fakeMediaArgs,
    '--autoplay-policy=no-user-gesture-required',
    // getDisplayMedia without a picker: with the fake devices Chromium shares a generated screen (and fake sound).
    '--auto-select-desktop-capture-source=Entire screen',
  ],
};
