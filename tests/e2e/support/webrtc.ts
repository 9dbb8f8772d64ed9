import type { BrowserContext, Page } from '@playwright/test';

/** Chromium flags for calls in tests: a fake camera and microphone, and media permission granted without a prompt. */
export const fakeMediaArgs = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

/** What a page has received on one of its PeerConnections, summed per kind (RTCInboundRtpStreamStats). */
export interface Inbound {
  audioBytes: number;
  videoBytes: number;
  framesDecoded: number;
}

/** What callPage installs in the page: PeerConnections and the candidates each gathered, by name. */
interface CallWindow {
  pcs: Record<string, RTCPeerConnection>;
  candidates: Record<string, RTCIceCandidateInit[]>;
  openPeer(name: string, config: RTCConfiguration): RTCPeerConnection;
  allGathered(pc: RTCPeerConnection): Promise<void>;
}

/**
 * A blank page on http://localhost (a secure origin, so getUserMedia works), served by Playwright's router: the
 * harness needs no web server. Its PeerConnections are kept by name, with the candidates each gathered.
 */
export async function callPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript(() => {
    const call = window as unknown as CallWindow;
    call.pcs = {};
    call.candidates = {};
    call.openPeer = (name, config) => {
      const pc = new RTCPeerConnection(config);
      call.pcs[name] = pc;
      call.candidates[name] = [];
      pc.addEventListener('icecandidate', (e) => e.candidate && call.candidates[name].push(e.candidate.toJSON()));
      return pc;
    };
    call.allGathered = (pc) =>
      new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') resolve();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      });
  });
  await page.route('http://localhost/call', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>call</title>' }),
  );
  await page.goto('http://localhost/call');
  return page;
}

/**
 * Opens a PeerConnection that sends the fake camera and microphone (send-only, as a VideoRoom publisher does, or
 * send-and-receive for a peer-to-peer call) and returns its offer: with every candidate in it, or at once when
 * <trickle> is set (then exchangeCandidates carries them over).
 */
export function offerMedia(
  page: Page,
  name: string,
  options: { config?: RTCConfiguration; direction?: RTCRtpTransceiverDirection; trickle?: boolean } = {},
) {
  return page.evaluate(
    async ({ name, config, direction, trickle }) => {
      const call = window as unknown as CallWindow;
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      const pc = call.openPeer(name, config);
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction, streams: [stream] });
      await pc.setLocalDescription(await pc.createOffer());
      if (!trickle) await call.allGathered(pc);
      return pc.localDescription!.sdp;
    },
    { name, config: options.config ?? {}, direction: options.direction ?? 'sendonly', trickle: options.trickle ?? false },
  );
}

/** Answers an offer on a new PeerConnection (sending the fake devices too when asked) and returns the answer. */
export function answerOffer(
  page: Page,
  name: string,
  offer: string,
  options: { config?: RTCConfiguration; sendMedia?: boolean; trickle?: boolean } = {},
) {
  return page.evaluate(
    async ({ name, offer, config, sendMedia, trickle }) => {
      const call = window as unknown as CallWindow;
      const pc = call.openPeer(name, config);
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      if (sendMedia) {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        for (const track of stream.getTracks()) pc.addTrack(track, stream);
      }
      await pc.setLocalDescription(await pc.createAnswer());
      if (!trickle) await call.allGathered(pc);
      return pc.localDescription!.sdp;
    },
    { name, offer, config: options.config ?? {}, sendMedia: options.sendMedia ?? false, trickle: options.trickle ?? false },
  );
}

/**
 * Trickle ICE between two pages' PeerConnections (both descriptions set), as signalling would: every candidate one
 * side gathers is added on the other, until both are connected. Waiting for a relay-only offer to finish gathering
 * would take long here (Chromium also asks coturn from its other interfaces, whose answers cannot come back), and
 * sending only the first relay candidate is not enough: Chromium may release that allocation for a later one.
 */
export async function exchangeCandidates(a: Page, aName: string, b: Page, bName: string, timeoutMs = 10_000) {
  const sent = new Map<Page, number>([
    [a, 0],
    [b, 0],
  ]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const [from, fromName, to, toName] of [
      [a, aName, b, bName],
      [b, bName, a, aName],
    ] as const) {
      const fresh = await from.evaluate(({ name, skip }) => (window as unknown as CallWindow).candidates[name].slice(skip), {
        name: fromName,
        skip: sent.get(from)!,
      });
      sent.set(from, sent.get(from)! + fresh.length);
      if (fresh.length > 0)
        await to.evaluate(
          async ({ name, fresh }) => {
            for (const candidate of fresh) await (window as unknown as CallWindow).pcs[name].addIceCandidate(candidate);
          },
          { name: toName, fresh },
        );
    }
    const states = [await connectionState(a, aName), await connectionState(b, bName)];
    if (states.every((s) => s.startsWith('connected'))) return;
    if (Date.now() > deadline) throw new Error(`not connected within ${timeoutMs} ms: ${states.join(', ')}`);
    await a.waitForTimeout(200);
  }
}

export function acceptAnswer(page: Page, name: string, answer: string) {
  return page.evaluate(
    async ({ name, answer }) => {
      await (window as unknown as CallWindow).pcs[name].setRemoteDescription({ type: 'answer', sdp: answer });
    },
    { name, answer },
  );
}

export function inbound(page: Page, name: string): Promise<Inbound> {
  return page.evaluate(async (name) => {
    const totals = { audioBytes: 0, videoBytes: 0, framesDecoded: 0 };
    const stats = await (window as unknown as CallWindow).pcs[name].getStats();
    stats.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'audio') totals.audioBytes += s.bytesReceived ?? 0;
      if (s.kind === 'video') {
        totals.videoBytes += s.bytesReceived ?? 0;
        totals.framesDecoded += s.framesDecoded ?? 0;
      }
    });
    return totals;
  }, name);
}

/** The candidate types (host, srflx, relay) of the pair a PeerConnection is using. */
export function selectedPair(page: Page, name: string): Promise<{ local: string; remote: string } | null> {
  return page.evaluate(async (name) => {
    const stats = await (window as unknown as CallWindow).pcs[name].getStats();
    const byId = new Map<string, Record<string, unknown>>();
    stats.forEach((s) => byId.set(s.id, s));
    const transport = [...byId.values()].find((s) => s.type === 'transport');
    const pair = transport && byId.get(transport.selectedCandidatePairId as string);
    if (!pair) return null;
    return {
      local: byId.get(pair.localCandidateId as string)?.candidateType as string,
      remote: byId.get(pair.remoteCandidateId as string)?.candidateType as string,
    };
  }, name);
}

/** "connected", "failed", ...: for saying why media did not flow. */
export function connectionState(page: Page, name: string): Promise<string> {
  return page.evaluate((name) => {
    const pc = (window as unknown as CallWindow).pcs[name];
    return `${pc.connectionState} (ICE ${pc.iceConnectionState})`;
  }, name);
}

/** The kinds of candidate (host, srflx, relay) a PeerConnection has gathered so far. */
export function candidateTypes(page: Page, name: string): Promise<string[]> {
  return page.evaluate(
    (name) =>
      [...new Set((window as unknown as CallWindow).candidates[name].map((c) => / typ (\w+)/.exec(c.candidate ?? '')?.[1] ?? '?'))].sort(),
    name,
  );
}

/** Audio a page's peer-to-peer call received (bytes, decoded energy) and the candidate types of its selected pairs. */
export interface PeerAudio {
  bytes: number;
  energy: number;
  pairs: string[];
}

/**
 * Sums what a page's peer-to-peer call has received, from the stats of each of its PeerConnections: `call` names the
 * window global holding the call (kamachatCall for a DM call, kamachatVoice for a voice channel) and `method` the
 * call's method answering each connection's RTCStatsReport by user.
 */
export function peerAudio(page: Page, call: 'kamachatCall' | 'kamachatVoice', method: 'peerStats' | 'meshStats'): Promise<PeerAudio> {
  return page.evaluate(
    async ({ call, method }) => {
      const session = (window as unknown as Record<string, Record<string, () => Promise<Record<string, RTCStatsReport>>> | undefined>)[
        call
      ];
      const totals = { bytes: 0, energy: 0, pairs: [] as string[] };
      for (const report of Object.values((await session?.[method]?.()) ?? {})) {
        const byId = new Map<string, Record<string, unknown>>();
        report.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
        for (const s of byId.values()) {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') {
            totals.bytes += (s.bytesReceived as number) ?? 0;
            totals.energy += (s.totalAudioEnergy as number) ?? 0;
          }
          if (s.type === 'transport' && s.selectedCandidatePairId) {
            const pair = byId.get(s.selectedCandidatePairId as string);
            const type = (id: unknown) => byId.get(id as string)?.candidateType as string;
            if (pair) totals.pairs.push(`${type(pair.localCandidateId)}-${type(pair.remoteCandidateId)}`);
          }
        }
      }
      return totals;
    },
    { call, method },
  );
}

/** One stream a page's peer-to-peer call receives from someone (an inbound-rtp), by its m-line. */
export interface PeerStream {
  mid: string;
  kind: string;
  bytes: number;
  /** Decoded audio: its energy and samples played out; 0 for video. */
  energy: number;
  samples: number;
  framesDecoded: number;
}

/** What a page's peer-to-peer call receives, stream by stream, by the user it comes from (see peerAudio). */
export function peerStreams(
  page: Page,
  call: 'kamachatCall' | 'kamachatVoice',
  method: 'peerStats' | 'meshStats',
): Promise<Record<string, PeerStream[]>> {
  return page.evaluate(
    async ({ call, method }) => {
      const session = (window as unknown as Record<string, Record<string, () => Promise<Record<string, RTCStatsReport>>> | undefined>)[
        call
      ];
      const byUser: Record<string, PeerStream[]> = {};
      for (const [userId, report] of Object.entries((await session?.[method]?.()) ?? {}))
        report.forEach((s: Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp') return;
          (byUser[userId] ??= []).push({
            mid: String(s.mid ?? ''),
            kind: String(s.kind ?? ''),
            bytes: (s.bytesReceived as number) ?? 0,
            energy: (s.totalAudioEnergy as number) ?? 0,
            samples: (s.totalSamplesReceived as number) ?? 0,
            framesDecoded: (s.framesDecoded as number) ?? 0,
          });
        });
      return byUser;
    },
    { call, method },
  );
}
