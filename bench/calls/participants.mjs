// The fake participants of ./kamachat bench calls (bench/KamaChat.Bench/CallBench.cs starts this): one headless
// Chromium (Debian's, as the e2e tests use it) with a fake camera and microphone, one page per participant on the
// server's own origin running harness.js, driven by one command per line on stdin:
//   join   the participants join the voice channel one after another; each join is done when the newcomer presents
//          a frame of every other participant's video and each of them presents one of the newcomer's
//   media  the media bytes all pages have sent to Janus and received from it so far
//   leave  everyone leaves the call (the gateway connections stay); answers how many calls expired and were joined
//          again since the start
//   quit
// Each answer is one line "@@ <json>" on stdout. Usage: node participants.mjs <config.json>
// (config: baseUrl, channelId, tokens[], userIds[], frameTimeoutMs).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
// Playwright as the e2e tests install it (tests/e2e), and the SignalR browser client the web client ships (web/).
const { chromium } = createRequire(path.join(repo, 'tests/e2e/package.json'))('@playwright/test');
const signalr = readFileSync(
  createRequire(path.join(repo, 'web/package.json')).resolve('@microsoft/signalr/dist/browser/signalr.min.js'),
  'utf8',
);
const harness = readFileSync(path.join(here, 'harness.js'), 'utf8');
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const answer = (value) => process.stdout.write(`@@ ${JSON.stringify(value)}\n`);
const log = (line) => process.stderr.write(`[participants] ${line}\n`);

// The e2e suite's flags (tests/e2e/support/chromium.ts, webrtc.ts), and received video played without a gesture.
const browser = await chromium.launch({
  executablePath: process.env.KAMACHAT_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ],
});

// The pages live on the server's own origin: http://127.0.0.1 is a secure origin (getUserMedia works), and the same
// origin as the gateway. Each opens the server's /healthz, then gets a blank document (setContent keeps the origin)
// and the scripts (past the server's CSP, which allows no inline script). Not page.route: while Playwright intercepts a page's requests, its WebSockets never connect.
const pages = [];
for (const token of config.tokens) {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.goto(new URL('healthz', config.baseUrl).toString());
  await page.setContent('<!doctype html><title>call bench</title>');
  await page.addScriptTag({ content: signalr });
  await page.addScriptTag({ content: harness });
  await page.evaluate((t) => window.bench.connect(t), token);
  pages.push(page);
}
log(`${pages.length} participants connected to the gateway`);

/** Joins everyone, one after another: the times of each join's steps and, for every pair, the first frame each way. */
async function joinAll() {
  const joins = [];
  const pairs = [];
  for (let k = 0; k < pages.length; k++) {
    const steps = await pages[k].evaluate((id) => window.bench.join(id), config.channelId);
    // Who must now see whom: the newcomer every earlier participant, each of them the newcomer.
    const expected = [];
    for (let i = 0; i < k; i++) expected.push([k, i], [i, k]);
    const seen = new Map();
    const deadline = Date.now() + config.frameTimeoutMs;
    while (seen.size < expected.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const [viewer, sender] of expected) {
        const key = `${viewer}:${sender}`;
        if (seen.has(key)) continue;
        const frames = await pages[viewer].evaluate(() => window.bench.firstFrames());
        const at = frames[config.userIds[sender]];
        if (at !== undefined) seen.set(key, at);
      }
    }
    for (const [viewer, sender] of expected) {
      const at = seen.get(`${viewer}:${sender}`);
      pairs.push({ join: k, viewer, sender, newcomerViews: viewer === k, ms: at === undefined ? null : at - steps.joinCalled });
      if (at === undefined)
        log(
          `participant ${viewer} saw no frame of ${sender} within ${config.frameTimeoutMs} ms: ${JSON.stringify(await pages[viewer].evaluate(() => window.bench.problems()))}`,
        );
    }
    joins.push({ joinMs: steps.joinAnswered - steps.joinCalled, publishMs: steps.published - steps.joinCalled });
  }
  // A presented frame was decoded; the receivers' stats say so too, for every sender.
  const undecoded = [];
  for (let viewer = 0; viewer < pages.length; viewer++) {
    const decoded = await pages[viewer].evaluate(() => window.bench.decoded());
    for (let sender = 0; sender < pages.length; sender++)
      if (sender !== viewer && !(decoded[config.userIds[sender]] > 0)) undecoded.push(`${viewer} from ${sender}`);
  }
  const gathers = [];
  for (const page of pages) gathers.push(...(await page.evaluate(() => window.bench.gathers())));
  return { joins, pairs, undecoded, gathers };
}

async function media() {
  const totals = { sent: 0, received: 0 };
  for (const page of pages) {
    const one = await page.evaluate(() => window.bench.media());
    totals.sent += one.sent;
    totals.received += one.received;
  }
  return totals;
}

answer({ connected: pages.length });
for await (const line of createInterface({ input: process.stdin })) {
  const command = line.trim();
  if (command === 'join') answer(await joinAll());
  else if (command === 'media') answer(await media());
  else if (command === 'leave') {
    let rejoins = 0;
    for (const page of pages) rejoins += await page.evaluate(() => window.bench.rejoins());
    for (const page of pages) await page.evaluate(() => window.bench.leave());
    answer({ left: pages.length, rejoins });
  } else if (command === 'quit') break;
  else answer({ error: `unknown command ${command}` });
}
await browser.close();
