import { expect, test, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../support/chromium';
import { JanusError, JanusSession, type JanusHandle } from '../support/janus';
import { startVoiceLab, turnCredential, type VoiceLab } from '../support/voice-lab';
import {
  acceptAnswer,
  answerOffer,
  callPage,
  candidateTypes,
  connectionState,
  exchangeCandidates,
  fakeMediaArgs,
  inbound,
  offerMedia,
  selectedPair,
  type Inbound,
} from '../support/webrtc';

// The voice harness, proved with real media: Chromium pages with fake devices publish to and subscribe from a real
// Janus VideoRoom, and call each other peer to peer through a real coturn, all in the voice lab (support/voice-lab.ts
// says how Chromium reaches its namespace). The test plays the server's part with support/janus.ts; phase B's specs
// go through KamaChat's own signalling instead.

test.use({ launchOptions: { executablePath: chromiumPath, args: [...chromiumArgs, ...fakeMediaArgs] } });
test.describe.configure({ mode: 'serial' });

let lab: VoiceLab;

test.beforeAll(async () => {
  lab = await startVoiceLab();
});

test.afterAll(async () => {
  await lab?.stop();
});

/** Waits until a PeerConnection has received more than it had (media is flowing), for the kind asked. */
async function expectGrowing(page: Page, pc: string, kind: 'audioBytes' | 'videoBytes') {
  const before = await inbound(page, pc);
  await expect
    .poll(async () => (await inbound(page, pc))[kind], {
      timeout: 10_000,
      message: `${kind} received on ${pc} should grow (the connection is ${await connectionState(page, pc)})`,
    })
    .toBeGreaterThan(before[kind]);
}

/**
 * Waits until nothing more arrives (media is stopped), for the kind asked: two samples a second apart agree. Packets
 * already in flight when it stopped may still land first, so it waits for that rather than sampling once.
 */
async function expectStill(page: Page, pc: string, kind: 'audioBytes' | 'videoBytes') {
  let last: Inbound | null = null;
  await expect
    .poll(
      async () => {
        const now = await inbound(page, pc);
        const still = last !== null && now[kind] === last[kind];
        last = now;
        return still;
      },
      { intervals: [1_000], timeout: 10_000, message: `${kind} received on ${pc} should stop growing` },
    )
    .toBe(true);
}

test('two pages publish to a Janus VideoRoom and each decodes the other; moderate and kick stop media at Janus', async ({ browser }) => {
  test.setTimeout(90_000);
  const janus = await JanusSession.create(lab.janusUrl, lab.janusApiSecret);
  const admin = await janus.attach();
  // A room as the server makes one (Infrastructure/Janus/VideoRooms.cs): admin key, secret, PIN, tokens, private ids.
  const room = Math.floor(Math.random() * 2 ** 40);
  const secret = 'room-secret';
  const pin = 'room-pin';
  await admin.request({
    request: 'create',
    room,
    admin_key: lab.janusAdminKey,
    secret,
    pin,
    is_private: true,
    allowed: [],
    require_pvtid: true,
    publishers: 10,
    audiocodec: 'opus',
    videocodec: 'vp8',
  });

  const contexts = [await browser.newContext(), await browser.newContext()];
  const pages = [await callPage(contexts[0]), await callPage(contexts[1])];
  const publishers: { handle: JanusHandle; privateId: number }[] = [];
  for (const [i, page] of pages.entries()) {
    const token = `token-${i}`;
    await admin.request({ request: 'allowed', room, secret, action: 'add', allowed: [token] });
    const handle = await janus.attach();
    const joined = await handle.message({ request: 'join', ptype: 'publisher', room, id: i + 1, display: `page ${i}`, pin, token });
    publishers.push({ handle, privateId: joined.data.private_id as number });
    const published = await handle.message({ request: 'publish' }, { type: 'offer', sdp: await offerMedia(page, 'publisher') });
    await acceptAnswer(page, 'publisher', published.jsep!.sdp);
  }

  // Janus offers a feed to subscribers only once its media flows: wait until both publish (not only until the answer).
  await expect
    .poll(async () => {
      const list = await admin.request({ request: 'listparticipants', room });
      return (list.participants as { publisher: boolean }[]).filter((p) => p.publisher).length;
    })
    .toBe(2);

  // Each page subscribes to the other with its own participant's private id.
  for (const [i, page] of pages.entries()) {
    const handle = await janus.attach();
    const attached = await handle.message({
      request: 'join',
      ptype: 'subscriber',
      room,
      pin,
      private_id: publishers[i].privateId,
      streams: [{ feed: 2 - i }],
    });
    const answer = await answerOffer(page, 'subscriber', attached.jsep!.sdp);
    await handle.message({ request: 'start' }, { type: 'answer', sdp: answer });
  }

  await test.step("each page receives and decodes the other page's audio and video", async () => {
    for (const page of pages) {
      await expectGrowing(page, 'subscriber', 'audioBytes');
      await expectGrowing(page, 'subscriber', 'videoBytes');
      await expect.poll(async () => (await inbound(page, 'subscriber')).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(0);
    }
  });

  await test.step("a subscription without a participant's private id is refused", async () => {
    const stranger = await janus.attach();
    const refused = await stranger.message({ request: 'join', ptype: 'subscriber', room, pin, streams: [{ feed: 1 }] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(JanusError);
    expect((refused as JanusError).code).toBe(433);
  });

  await test.step("moderate stops a publisher's audio at Janus while its video goes on", async () => {
    await admin.request({ request: 'moderate', room, secret, id: 1, mid: '0', mute: true });
    await pages[1].waitForTimeout(500);
    await expectStill(pages[1], 'subscriber', 'audioBytes');
    await expectGrowing(pages[1], 'subscriber', 'videoBytes');
    await admin.request({ request: 'moderate', room, secret, id: 1, mid: '0', mute: false });
    await expectGrowing(pages[1], 'subscriber', 'audioBytes');
  });

  await test.step("kick ends the kicked participant's media both ways within a second", async () => {
    await admin.request({ request: 'kick', room, secret, id: 1 });
    await pages[1].waitForTimeout(1_000);
    // What they published stops reaching the others ...
    await expectStill(pages[1], 'subscriber', 'videoBytes');
    await expectStill(pages[1], 'subscriber', 'audioBytes');
    // ... and, as the room requires private ids, their own subscriptions stop too.
    await expectStill(pages[0], 'subscriber', 'videoBytes');
    await expectStill(pages[0], 'subscriber', 'audioBytes');
  });

  await admin.request({ request: 'destroy', room, secret });
  await janus.destroy();
  // Encoding and decoding fake video is the heaviest thing here: stop it before the next test.
  for (const context of contexts) await context.close();
});

test('a peer-to-peer call relayed by coturn only (iceTransportPolicy relay) works with a fresh credential', async ({ browser }) => {
  test.setTimeout(60_000);
  const iceServers = [{ urls: lab.turnUrl, ...turnCredential(lab.turnSecret, '42', new Date(Date.now() + 3_600_000)) }];
  const config: RTCConfiguration = { iceServers, iceTransportPolicy: 'relay' };
  const contexts = [await browser.newContext(), await browser.newContext()];
  const [caller, callee] = [await callPage(contexts[0]), await callPage(contexts[1])];

  const offer = await offerMedia(caller, 'call', { config, direction: 'sendrecv', trickle: true });
  const answer = await answerOffer(callee, 'call', offer, { config, sendMedia: true, trickle: true });
  await acceptAnswer(caller, 'call', answer);
  await exchangeCandidates(caller, 'call', callee, 'call');
  expect(await candidateTypes(caller, 'call')).toEqual(['relay']);
  expect(await candidateTypes(callee, 'call')).toEqual(['relay']);

  for (const page of [caller, callee]) {
    await expectGrowing(page, 'call', 'audioBytes');
    await expectGrowing(page, 'call', 'videoBytes');
    await expect.poll(async () => (await inbound(page, 'call')).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await selectedPair(page, 'call')).toEqual({ local: 'relay', remote: 'relay' });
  }
  for (const context of contexts) await context.close();
});

test('coturn refuses an expired credential: no relay candidate, and a 401 reported to the page', async ({ browser }) => {
  const expired = turnCredential(lab.turnSecret, '42', new Date(Date.now() - 60_000));
  const context = await browser.newContext();
  const page = await callPage(context);

  const result = await page.evaluate(
    async (iceServers) => {
      const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
      let relay = false;
      pc.addEventListener('icecandidate', (e) => {
        relay ||= e.candidate?.type === 'relay';
      });
      // coturn's answer to the signed Allocate: Chromium reports its error code.
      const refused = new Promise<number>((resolve) =>
        pc.addEventListener('icecandidateerror', (e) => resolve((e as RTCPeerConnectionIceErrorEvent).errorCode)),
      );
      pc.addTransceiver('audio');
      await pc.setLocalDescription(await pc.createOffer());
      return { errorCode: await refused, relay };
    },
    [{ urls: lab.turnUrl, ...expired }],
  );

  expect(result.errorCode).toBe(401);
  expect(result.relay).toBe(false);
  await context.close();
});
