import { chromium, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { ApiUser, logInAs, logInOn } from '../support/chat';
import { expect, expectAccessible, screenshot } from '../support/fixtures';
import { expectHearing as expectHearingFrom, peerLaunchOptions, test } from '../support/peer-call-server';
import { peerAudio, peerStreams, type PeerStream } from '../support/webrtc';

/**
 * DM calls end to end, peer to peer through the server's signalling: the callee's page rings with an incoming-call
 * card, declining leaves a "missed call" line, and an accepted call carries each side's fake microphone to the
 * other — through the voice lab's coturn only (the server runs with TURN_RELAY_ONLY, so the browsers get
 * iceTransportPolicy "relay"): the selected candidate pair is relay on both ends and decoded audio energy grows.
 * The caller's camera, then a screen share, reach the callee as a tile whose video element really decodes frames
 * (through the same relay), and the screen's sound is played out on its own m-line. Hanging up leaves a line with the
 * call's length.
 *
 * A group call, in a browser that grants only what each context was allowed: a camera the browser refuses, and a
 * screen the system will not let it record, are told plainly and the call goes on with sound; one member's camera is
 * decoded by both others; a camera whose permission is taken back mid-call goes off for everyone, and a microphone
 * taken back shows its owner muted: Unmute says why while it is still blocked, and once it is allowed again opens it
 * and the others hear its owner again (in a voice channel too).
 */
test.use({ launchOptions: peerLaunchOptions });

/** The group call's browser (see askingLaunchOptions), closed even when its test fails. */
let asking: Browser | undefined;

test.afterAll(() => asking?.close());

function received(page: Page) {
  return peerAudio(page, 'kamachatCall', 'peerStats');
}

function expectHearing(page: Page) {
  return expectHearingFrom(page, received);
}

/** What a page's video element called `label` has shown: frames decoded and its size. */
function playback(page: Page, label: string) {
  return page
    .getByRole('region', { name: 'Videos' })
    .locator(`video[aria-label="${label}"]`)
    .evaluate((element) => {
      const video = element as HTMLVideoElement;
      return { frames: video.getVideoPlaybackQuality().totalVideoFrames, width: video.videoWidth, height: video.videoHeight };
    });
}

/** The page shows the video `label` and decodes it: frames decoded grow, and the picture has a size. */
async function expectWatching(page: Page, label: string) {
  const tile = page.getByRole('region', { name: 'Videos' }).getByRole('button', { name: label, exact: true });
  await expect(tile).toBeVisible({ timeout: 15_000 });
  const before = (await playback(page, label)).frames;
  await expect
    .poll(async () => (await playback(page, label)).frames, { timeout: 15_000, message: `${label}: frames decoded should grow` })
    .toBeGreaterThan(before);
  const { width, height } = await playback(page, label);
  expect(width * height).toBeGreaterThan(0);
}

/**
 * What `page` receives from `userId` on one m-line of the call, `mid`: 0 the microphone, 1 the camera or screen, 2 the
 * screen's sound; `call` is the window global of the call (see peerStreams).
 */
async function stream(page: Page, userId: string, mid: string, call: 'kamachatCall' | 'kamachatVoice' = 'kamachatCall') {
  const streams = (await peerStreams(page, call, call === 'kamachatCall' ? 'peerStats' : 'meshStats'))[userId] ?? [];
  return streams.find((s) => s.mid === mid) ?? { mid, kind: '', bytes: 0, energy: 0, samples: 0, framesDecoded: 0 };
}

/** What `page` receives from `userId` on m-line `mid` grows in each of `fields`. */
async function expectGrowing(
  page: Page,
  userId: string,
  mid: string,
  fields: (keyof Omit<PeerStream, 'mid' | 'kind'>)[],
  call?: 'kamachatCall' | 'kamachatVoice',
) {
  for (const field of fields) {
    const before = (await stream(page, userId, mid, call))[field];
    await expect
      .poll(async () => (await stream(page, userId, mid, call))[field], { timeout: 15_000, message: `m-line ${mid}: ${field} should grow` })
      .toBeGreaterThan(before);
  }
}

/** Nothing more is heard from `userId` on m-line `mid`: what was in flight drains, then decoded energy stays put for a second. */
async function expectSilent(page: Page, userId: string, mid: string, call?: 'kamachatCall' | 'kamachatVoice') {
  let last = -1;
  await expect
    .poll(
      async () => {
        const energy = (await stream(page, userId, mid, call)).energy;
        const grown = energy - last;
        last = energy;
        return grown;
      },
      { intervals: [1_000], timeout: 15_000, message: `m-line ${mid}: energy should stop growing` },
    )
    .toBeLessThan(1e-4);
}

/** Two people with a DM, each signed in on a page of their own: the caller in the DM, the callee on the home page. */
async function callerAndCallee(browser: Browser, baseURL: string) {
  const alice = await ApiUser.register(baseURL, 'caller');
  const bob = await ApiUser.register(baseURL, 'callee');
  const dm = await alice.call<{ id: string }>('POST', '/api/v1/users/@me/channels', { recipientId: bob.id });
  const caller = await logInAs(browser, baseURL, alice);
  const callee = await logInAs(browser, baseURL, bob);
  await caller.page.goto(`/channels/@me/${dm.id}`);
  await callee.page.goto('/');
  return { alice, bob, dm, caller, callee };
}

test('a declined call rings with an accessible card and leaves a missed-call line', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const { alice, bob, dm, caller, callee } = await callerAndCallee(browser, baseURL!);

  await caller.page.getByRole('button', { name: 'Start call' }).click();
  const card = callee.page.getByRole('dialog', { name: 'Incoming call' });
  await expect(card).toBeVisible({ timeout: 15_000 });
  await expect(card).toContainText(`${alice.account.username} is calling you.`);
  await expect(caller.page.getByRole('region', { name: 'Call' })).toContainText(`ringing ${bob.account.username}`);
  await screenshot(callee.page, '27-incoming-call');
  await expectAccessible(callee.page);

  await card.getByRole('button', { name: 'Decline' }).click();
  await expect(card).toHaveCount(0);
  await expect(caller.page.getByRole('region', { name: 'Call' })).toHaveCount(0);
  await expect(caller.page.getByTestId('system-line').last()).toHaveText(new RegExp(`Missed call from ${alice.account.username}\\.`));
  await callee.page.goto(`/channels/@me/${dm.id}`);
  await expect(callee.page.getByTestId('system-line').last()).toContainText(`Missed call from ${alice.account.username}.`);
  for (const { context } of [caller, callee]) await context.close();
});

test('an accepted call carries each side’s audio to the other through TURN only; hanging up leaves its length', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const { alice, dm, caller, callee } = await callerAndCallee(browser, baseURL!);

  await caller.page.getByRole('button', { name: 'Start call' }).click();
  await callee.page.getByRole('dialog', { name: 'Incoming call' }).getByRole('button', { name: 'Accept' }).click();
  await expect(callee.page).toHaveURL(new RegExp(`/channels/@me/${dm.id}$`));
  for (const page of [caller.page, callee.page])
    await expect(page.getByRole('region', { name: 'Call' }).getByText('In call')).toBeVisible({ timeout: 20_000 });

  await expectHearing(caller.page);
  await expectHearing(callee.page);
  for (const page of [caller.page, callee.page]) expect((await received(page)).pairs).toEqual(['relay-relay']);
  await screenshot(caller.page, '28-dm-call');

  // The caller's camera: the callee sees who has it on and watches it; the caller sees their own preview.
  const bar = (page: Page) => page.getByRole('region', { name: 'Call' });
  await bar(caller.page).getByRole('button', { name: 'Camera' }).click();
  await expect(bar(caller.page).getByRole('button', { name: 'Camera off' })).toBeVisible();
  await expectWatching(callee.page, `Camera of ${alice.account.username}`);
  await expectWatching(caller.page, 'Your camera');
  await screenshot(callee.page, '28-dm-call-camera');
  await bar(caller.page).getByRole('button', { name: 'Camera off' }).click();
  await expect(callee.page.getByRole('region', { name: 'Videos' })).toHaveCount(0);

  // A screen share instead: the same video slot, so nothing is renegotiated, and the callee watches the screen and
  // hears its sound (Chromium's fake screen has a beep), which nothing carried before the share.
  expect((await stream(callee.page, alice.id, '2')).bytes).toBe(0);
  await bar(caller.page).getByRole('button', { name: 'Share screen' }).click();
  await expect(bar(caller.page).getByRole('button', { name: 'Stop sharing' })).toBeVisible();
  await expectWatching(callee.page, `Screen of ${alice.account.username}`);
  await expectGrowing(callee.page, alice.id, '2', ['bytes', 'samples', 'energy']);
  for (const page of [caller.page, callee.page]) expect((await received(page)).pairs).toEqual(['relay-relay']);
  await bar(caller.page).getByRole('button', { name: 'Stop sharing' }).click();
  await expect(callee.page.getByRole('region', { name: 'Videos' })).toHaveCount(0);

  await callee.page.getByRole('region', { name: 'Call' }).getByRole('button', { name: 'Hang up' }).click();
  for (const page of [caller.page, callee.page]) {
    await expect(page.getByRole('region', { name: 'Call' })).toHaveCount(0);
    await expect(page.getByTestId('system-line').last()).toContainText(
      new RegExp(`${alice.account.username} started a call that lasted \\d+ seconds?\\.`),
    );
  }
  for (const { context } of [caller, callee]) await context.close();
});

/**
 * The suite's browser without --use-fake-ui-for-media-stream: a page gets only the devices its context was granted,
 * the others are refused as a person's "Block" refuses them (NotAllowedError), and a permission taken back ends the
 * device's track, as the browser's site settings do. (It cannot share a screen: with no picker to skip, the tab dies.)
 */
const askingLaunchOptions = { ...peerLaunchOptions, args: peerLaunchOptions.args.filter((a) => a !== '--use-fake-ui-for-media-stream') };

/** Takes a device's permission back from a context's pages, as the site settings' "Block" does mid-call, or gives it again. */
async function permit(
  browser: Browser,
  context: BrowserContext,
  origin: string,
  device: 'camera' | 'microphone',
  setting: 'denied' | 'granted' = 'denied',
) {
  const page = context.pages()[0];
  const { targetInfo } = await (await context.newCDPSession(page)).send('Target.getTargetInfo');
  await (
    await browser.newBrowserCDPSession()
  ).send('Browser.setPermission', {
    permission: { name: device },
    setting,
    origin,
    browserContextId: targetInfo.browserContextId,
  });
}

test('a group call: a refused camera or screen is told and the call goes on; a camera reaches the other two and, taken back, goes off for all; a microphone taken back comes back with Unmute; the same in a voice channel', async ({
  baseURL,
}) => {
  test.setTimeout(180_000);
  const browser = (asking = await chromium.launch(askingLaunchOptions));
  const [alice, bob, carol] = [
    await ApiUser.register(baseURL!, 'group'),
    await ApiUser.register(baseURL!, 'group'),
    await ApiUser.register(baseURL!, 'group'),
  ];
  const { server } = await alice.createServer('Camera test');
  await alice.call('POST', `/api/v1/servers/${server.id}/channels`, { name: 'Lounge', type: 'voice' });
  await carol.joinServer(alice, server.id);
  const group = await alice.call<{ id: string }>('POST', '/api/v1/users/@me/group-channels', { recipientIds: [bob.id, carol.id] });
  // Alice blocked the camera and allowed the microphone; Bob and Carol allowed both.
  const contexts: BrowserContext[] = [];
  for (const [user, allowed] of [
    [alice, ['microphone']],
    [bob, ['microphone', 'camera']],
    [carol, ['microphone', 'camera']],
  ] as const) {
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
    await context.grantPermissions([...allowed]);
    await logInOn(await context.newPage(), user);
    contexts.push(context);
  }
  const [a, b, c] = contexts.map((context) => context.pages()[0]);
  const bar = (page: Page) => page.getByRole('region', { name: 'Call' });
  const origin = new URL(baseURL!).origin;
  /**
   * A context's microphone taken back mid-call: its owner is shown muted and told, and `silent` checks the others.
   * Unmute while it is still blocked says why and stays muted; allowed again, Unmute opens it and the notice goes.
   */
  async function microphoneBack(context: BrowserContext, controls: Locator, silent: () => Promise<void>) {
    await permit(browser, context, origin, 'microphone');
    await expect(controls.getByRole('alert')).toContainText('The microphone stopped');
    await expect(controls.getByRole('button', { name: 'Unmute' })).toBeVisible();
    await silent();
    await controls.getByRole('button', { name: 'Unmute' }).click();
    await expect(controls.getByRole('alert')).toContainText('Microphone access was refused.');
    await expect(controls.getByRole('button', { name: 'Unmute' })).toBeVisible();
    await permit(browser, context, origin, 'microphone', 'granted');
    await controls.getByRole('button', { name: 'Unmute' }).click();
    await expect(controls.getByRole('button', { name: 'Mute', exact: true })).toBeVisible();
    await expect(controls.getByRole('alert')).toHaveCount(0);
  }

  await a.goto(`/channels/@me/${group.id}`);
  await a.getByRole('button', { name: 'Start call' }).click();
  for (const page of [b, c]) await page.getByRole('dialog', { name: 'Incoming call' }).getByRole('button', { name: 'Accept' }).click();
  for (const page of [a, b, c]) await expect(bar(page).getByText('In call')).toBeVisible({ timeout: 20_000 });

  // Alice's camera is refused: she is told why, the button is back to off, and the others still hear her.
  await bar(a).getByRole('button', { name: 'Camera' }).click();
  await expect(bar(a).getByRole('alert')).toContainText('Camera access was refused.');
  await expect(bar(a).getByRole('button', { name: 'Camera' })).toHaveAttribute('aria-pressed', 'false');
  for (const page of [b, c]) await expectGrowing(page, alice.id, '0', ['energy', 'bytes']);
  // Her system does not let the browser record the screen (macOS until she allows it, where Chromium says "by
  // system"): not something this machine can do, so the page's getDisplayMedia refuses as Chromium does there.
  await a.evaluate(() => {
    navigator.mediaDevices.getDisplayMedia = () => Promise.reject(new DOMException('Permission denied by system', 'NotAllowedError'));
  });
  await bar(a).getByRole('button', { name: 'Share screen' }).click();
  await expect(bar(a).getByRole('alert')).toContainText('Your system does not let the browser record the screen.');
  await expect(bar(a).getByRole('button', { name: 'Share screen' })).toHaveAttribute('aria-pressed', 'false');

  // Bob's camera reaches both others, each decoding it on their own connection with him.
  await bar(b).getByRole('button', { name: 'Camera' }).click();
  await expect(bar(b).getByRole('button', { name: 'Camera off' })).toBeVisible();
  for (const page of [a, c]) await expectWatching(page, `Camera of ${bob.account.username}`);
  await screenshot(a, '28-group-call-camera');

  // Bob takes the camera's permission back mid-call: its track ends, his camera goes off for everyone, and he is told.
  await permit(browser, contexts[1], origin, 'camera');
  await expect(bar(b).getByRole('alert')).toContainText('The camera stopped');
  await expect(bar(b).getByRole('button', { name: 'Camera' })).toHaveAttribute('aria-pressed', 'false');
  for (const page of [a, b, c]) await expect(page.getByRole('region', { name: 'Videos' })).toHaveCount(0);
  for (const page of [a, c]) await expectGrowing(page, bob.id, '0', ['energy']);
  // Then his microphone: he is shown muted and told that the others cannot hear him, and they do not. Unmute while it
  // is still blocked says why and he stays muted; allowed again, Unmute opens it and both hear him.
  await microphoneBack(contexts[1], bar(b), async () => {
    for (const page of [a, c]) await expectSilent(page, bob.id, '0');
  });
  for (const page of [a, c]) await expectGrowing(page, bob.id, '0', ['energy']);

  // A voice channel (peer to peer here; joining it ends Alice's and Carol's part in the call): the same refusal for
  // Alice, and Carol's camera taken back goes off in the list, her microphone taken back shows her muted until Unmute.
  const voice = (page: Page) => page.getByRole('region', { name: 'Voice' });
  const cameras = (page: Page) => page.getByRole('list', { name: 'In Lounge' }).getByText('camera on');
  for (const page of [a, c]) {
    await page.goto(`/servers/${server.id}`);
    await page.getByRole('button', { name: /^Lounge \(voice\)/ }).click();
    await expect(voice(page).getByText('Voice connected')).toBeVisible({ timeout: 15_000 });
  }
  await voice(a).getByRole('button', { name: 'Camera' }).click();
  await expect(voice(a).getByRole('alert')).toContainText('Camera access was refused.');
  await expect(voice(a).getByRole('button', { name: 'Camera' })).toHaveAttribute('aria-pressed', 'false');
  await expectGrowing(c, alice.id, '0', ['energy', 'bytes'], 'kamachatVoice');
  await voice(c).getByRole('button', { name: 'Camera' }).click();
  for (const page of [a, c]) await expect(cameras(page)).toHaveCount(1);
  await permit(browser, contexts[2], origin, 'camera');
  await expect(voice(c).getByRole('alert')).toContainText('The camera stopped');
  await expect(voice(c).getByRole('button', { name: 'Camera' })).toHaveAttribute('aria-pressed', 'false');
  for (const page of [a, c]) await expect(cameras(page)).toHaveCount(0);
  await expect(voice(c).getByText('Voice connected')).toBeVisible();
  const muted = a.getByRole('list', { name: 'In Lounge' }).getByText('muted', { exact: true });
  await microphoneBack(contexts[2], voice(c), async () => {
    await expect(muted).toHaveCount(1);
    await expectSilent(a, carol.id, '0', 'kamachatVoice');
  });
  await expect(muted).toHaveCount(0);
  await expectGrowing(a, carol.id, '0', ['energy'], 'kamachatVoice');
});
