import type { Browser, Page } from '@playwright/test';
import { ApiUser, logInAs } from '../support/chat';
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
 */
test.use({ launchOptions: peerLaunchOptions });

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
