import type { GatewayClient } from '../gateway/connection';
import type { VoiceJoined, VoiceState, VoiceSubscription } from '../gateway/protocol';
import type { voiceStore as Store } from './store';

/** Longest wait for ICE candidates before an SDP goes out with what was gathered (the server relays no trickle). */
const GATHER_LIMIT_MS = 3000;
/** Audio level (0..1) above which someone counts as speaking. */
const SPEAKING_LEVEL = 0.02;

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => pc.iceGatheringState === 'complete' && done();
    const timer = setTimeout(done, GATHER_LIMIT_MS);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

function microphoneError(e: unknown): Error {
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return new Error('Microphone access was refused. Allow it in the browser’s site settings, then join again.');
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return new Error('No microphone was found. Connect one, then join again.');
  if (name === 'NotReadableError') return new Error('The microphone is in use by another program or could not be opened.');
  return new Error(`The microphone could not be opened${e instanceof Error ? ` (${e.message})` : ''}.`);
}

/**
 * A call in a voice channel. Signalling goes through the gateway (JoinVoice, PublishVoice, SubscribeVoice,
 * AnswerVoice), media straight to Janus: one PeerConnection sends our microphone, one receives everyone else's
 * streams. The server relays each SDP to Janus, so ICE candidates travel inside the SDP (gathered before sending).
 */
export class VoiceCall {
  private sender: RTCPeerConnection | null = null;
  private receiver: RTCPeerConnection | null = null;
  private microphone: MediaStream | null = null;
  private iceServers: RTCIceServer[] = [];
  /** Which user each receiving mid carries. */
  private owners = new Map<string, string>();
  private audio = new Map<string, HTMLAudioElement>();
  private unsubscribe: (() => void) | null = null;
  private syncing: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private joined = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private muted = false;
  private deafened = false;

  constructor(
    private readonly gateway: GatewayClient,
    private readonly channelId: string,
    private readonly store: typeof Store,
  ) {}

  async start() {
    this.unsubscribe = this.gateway.onVoice((kind, payload) => {
      if (kind === 'feeds' && payload === this.channelId) this.sync();
      const state = payload as VoiceState;
      // The server ended our call (another device joined, kicked, permission lost).
      if (kind === 'state' && this.joined && state.userId === this.gateway.userId && state.channelId !== this.channelId && !this.stopped)
        void import('./store').then(({ leaveVoice }) => leaveVoice());
    });
    const joined = await this.gateway.invoke<VoiceJoined>('JoinVoice', this.channelId);
    this.joined = true;
    this.iceServers = joined.iceServers.map((s) => ({
      urls: [...s.urls],
      username: s.username ?? undefined,
      credential: s.credential ?? undefined,
    }));
    this.store.update({ canSpeak: joined.canSpeak });
    (window as unknown as { kamachatVoice?: VoiceCall }).kamachatVoice = this;
    let micError: Error | null = null;
    if (joined.canSpeak) {
      try {
        this.microphone = await navigator.mediaDevices.getUserMedia({
          audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
        });
      } catch (e) {
        micError = microphoneError(e);
      }
    }
    if (this.stopped) return;
    if (this.microphone) await this.publish(this.microphone);
    this.store.update({ status: 'connected', muted: !this.microphone });
    this.muted = !this.microphone;
    if (micError) this.store.fail(`${micError.message} You can still listen.`);
    this.sync();
    this.timer = setInterval(() => void this.measure(), 250);
  }

  private async publish(stream: MediaStream) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: 'max-bundle' });
    this.sender = pc;
    for (const track of stream.getAudioTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answer = await this.gateway.invoke<string>('PublishVoice', pc.localDescription!.sdp);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  }

  /** Brings what we receive up to date with who sends media in the channel (one run at a time, again if asked meanwhile). */
  private sync() {
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        try {
          const offer = await this.gateway.invoke<VoiceSubscription | null>('SubscribeVoice');
          if (offer && !this.stopped) await this.receive(offer);
        } catch {
          // The call ended or the gateway dropped; the next signal syncs again.
        }
      } while (this.again && !this.stopped);
      this.syncing = null;
    })();
  }

  private async receive(offer: VoiceSubscription) {
    if (offer.restart || !this.receiver) {
      this.receiver?.close();
      this.audio.forEach((a) => a.remove());
      this.audio.clear();
      const pc = new RTCPeerConnection({ iceServers: this.iceServers });
      pc.ontrack = (e) => this.play(e);
      this.receiver = pc;
    }
    this.owners = new Map(offer.streams.map((s) => [s.mid, s.userId]));
    const pc = this.receiver;
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await this.gateway.invoke('AnswerVoice', pc.localDescription!.sdp);
  }

  private play(e: RTCTrackEvent) {
    if (e.track.kind !== 'audio') return;
    const mid = e.transceiver.mid ?? e.track.id;
    this.audio.get(mid)?.remove();
    const element = document.createElement('audio');
    element.autoplay = true;
    element.muted = this.deafened;
    element.srcObject = new MediaStream([e.track]);
    element.dataset.voiceUser = this.owners.get(mid) ?? '';
    document.body.appendChild(element);
    this.audio.set(mid, element);
  }

  /** Who is speaking: our microphone's level while unmuted, and each received audio stream's level. */
  private async measure() {
    const speaking: string[] = [];
    const me = this.gateway.userId;
    if (this.sender && !this.muted && me) {
      const stats = await this.sender.getStats();
      stats.forEach((s: { type: string; kind?: string; audioLevel?: number }) => {
        if (s.type === 'media-source' && s.kind === 'audio' && (s.audioLevel ?? 0) > SPEAKING_LEVEL) speaking.push(me);
      });
    }
    for (const transceiver of this.receiver?.getTransceivers() ?? []) {
      const user = transceiver.mid ? this.owners.get(transceiver.mid) : undefined;
      const level = transceiver.receiver.getSynchronizationSources()[0]?.audioLevel ?? 0;
      if (user && transceiver.receiver.track.kind === 'audio' && level > SPEAKING_LEVEL) speaking.push(user);
    }
    const current = this.store.get()?.speaking ?? [];
    if (speaking.length !== current.length || speaking.some((u) => !current.includes(u))) this.store.update({ speaking });
  }

  setMuted(muted: boolean) {
    if (!this.microphone) return;
    this.muted = muted;
    this.microphone.getAudioTracks().forEach((t) => (t.enabled = !muted));
    this.store.update({ muted });
    void this.announce();
  }

  setDeafened(deafened: boolean) {
    this.deafened = deafened;
    this.audio.forEach((a) => (a.muted = deafened));
    this.store.update({ deafened });
    void this.announce();
  }

  private announce() {
    return this.gateway
      .invoke('SetVoiceState', { selfMute: this.muted, selfDeaf: this.deafened, video: false, stream: false })
      .catch(() => undefined);
  }

  /** The receiving PeerConnection's stats, for tests and diagnostics. */
  receiverStats() {
    return this.receiver?.getStats() ?? Promise.resolve(null);
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.microphone?.getTracks().forEach((t) => t.stop());
    this.sender?.close();
    this.receiver?.close();
    this.audio.forEach((a) => a.remove());
    this.audio.clear();
    const w = window as unknown as { kamachatVoice?: VoiceCall };
    if (w.kamachatVoice === this) delete w.kamachatVoice;
    await this.gateway.invoke('LeaveVoice').catch(() => undefined);
  }
}
