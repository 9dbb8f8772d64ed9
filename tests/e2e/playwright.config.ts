import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './support/chromium';

/** The specs that place calls: each starts its own server, Janus or coturn, and measures real media. */
const CALL_SPECS = /(voice-[^/]*|dm-call)\.spec\.ts$/;

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  globalSetup: './support/global-setup.ts',
  globalTeardown: './support/global-teardown.ts',
  fullyParallel: false,
  // Two lanes at once: the call specs (Janus, coturn, network namespaces, real media) and everything else. Each lane
  // runs one spec at a time, so a call's media never competes with another call's, and the suite takes about as long
  // as its longer lane rather than both.
  workers: 2,
  // No retries: a test that passes only sometimes has a race to find and fix, not to hide.
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 7_000 },
  reporter: [['list']],
  projects: [
    { name: 'calls', testMatch: CALL_SPECS, workers: 1 },
    { name: 'browser', testIgnore: CALL_SPECS, workers: 1 },
  ],
  use: {
    browserName: 'chromium',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: chromiumArgs,
    },
  },
});
