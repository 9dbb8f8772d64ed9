import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './support/chromium';

/** The specs that place calls: each starts its own server, Janus or coturn, and measures real media. */
const CALL_SPECS = /(voice-[^/]*|dm-call[^/]*)\.spec\.ts$/;

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  globalSetup: './support/global-setup.ts',
  globalTeardown: './support/global-teardown.ts',
  fullyParallel: false,
  // One spec at a time: the run is CPU-bound on two cores (measured: two lanes at once doubled each test's time and
  // timed some out), and the server is the shared resource. The projects let one part run alone (--project calls).
  workers: 1,
  // No retries: a test that passes only sometimes has a race to find and fix, not to hide.
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 7_000 },
  reporter: [['list']],
  projects: [
    { name: 'browser', testIgnore: CALL_SPECS },
    { name: 'calls', testMatch: CALL_SPECS },
  ],
  use: {
    browserName: 'chromium',
    // Recording a trace for every test cost a quarter of the run's time (measured: 55 s without, 69–74 s with, same
    // specs); the failure's message, page snapshot and screenshot remain. `npx playwright test --trace on` to debug.
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: chromiumArgs,
    },
  },
});
