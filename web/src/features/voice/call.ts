import type { GatewayClient } from '../gateway/connection';
import type { VoiceJoined, VoiceSubscription } from '../gateway/protocol';
import type { voiceStore as Store } from './store';

interface InboundStats {
  type: string;
  kind?: string;
  trackIdentifier?: string;
  bytesReceived?: number;
  framesDecoded?: number;
}

export interface ReceivedStream {
  mid: string;
  kind: string;
  bytes: number;
  framesDecoded: number;
}

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

function cameraError(e: unknown, what: 'camera' | 'screen'): string | null {
  const name = e instanceof DOMException ? e.name : '';
  // Closing the browser's screen picker is a choice, not an error.
  if (what === 'screen' && name === 'NotAllowedError') return null;
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Camera access was refused. Allow it in the browser’s site settings, then try again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No camera was found.';
  if (name === 'NotReadableError') return 'The camera is in use by another program or could not be opened.';
  const detail = e instanceof Error ? ` (${e.message})` : '';
  return what === 'camera' ? `The camera could not be opened${detail}.` : `The screen could not be shared${detail}.`;
}

/**
 * A call in a voice channel. Signalling goes through the gateway (JoinVoice, PublishVoice, SubscribeVoice,
 * AnswerVoice), media straight to Janus: one PeerConnection sends ours, one receives everyone else's streams. The
 * server relays each SDP to Janus, so ICE candidates travel inside the SDP (gathered before sending).
 *
 * What we send is fixed when we join, as far as our permissions go: the microphone (SPEAK), one video (VIDEO) and
 * the shared screen's sound (both). Turning the camera or a screen share on or off only swaps the track of the
 * video transceiver (replaceTrack), so nothing is renegotiated and the others' subscriptions already hold our
 * video stream. Camera and screen share are one video at a time, the way most people use them: starting a share
 * turns the camera off. A second publisher (a second Janus handle) for the screen would double what everyone
 * decodes and what the room's publisher limit counts, for a picture-in-picture few ask for.
 */
export class VoiceCall {
  private sender: RTCPeerConnection | null = null;
  private receiver: RTCPeerConnection | null = null;
  private microphone: MediaStream | null = null;
  private camera: MediaStream | null = null;
  private screen: MediaStream | null = null;
  /** The transceiver carrying our camera or screen, and the one carrying the screen's sound (null without VIDEO). */
  private video: RTCRtpTransceiver | null = null;
  private screenAudio: RTCRtpTransceiver | null = null;
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
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private muted = false;
  private deafened = false;

  constructor(
    private readonly gateway: GatewayClient,
    private readonly channelId: string,
    private readonly store: typeof Store,
  ) {}

  async start() {
    this.unsubscribe = this.gateway.onVoice((...signal) => {
      if (this.stopped) return;
      if (signal[0] === 'feeds' && signal[1] === this.channelId) this.sync();
      // The server ended our call: joined elsewhere, kicked, CONNECT taken, a moderator disconnected us.
      if (signal[0] === 'ended' && signal[1].channelId === this.channelId) void this.ended(signal[1].reason, signal[1].movedTo);
      // The gateway reconnected (a network blip, the machine woke up): the call ended with the
      // old connection, so join again with the same devices.
      if (signal[0] === 'ready' && this.joined) void this.rejoin();
    });
    const joined = await this.join();
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
    this.muted = !this.microphone;
    await this.connect(joined);
    if (micError) this.store.fail(`${micError.message} You can still listen.`);
    this.timer = setInterval(() => void this.measure(), 250);
  }

  private async join() {
    const joined = await this.gateway.invoke<VoiceJoined>('JoinVoice', this.channelId);
    this.joined = true;
    // The server ends a call it has not heard from for three heartbeats: a frozen tab or a network gone without a
    // close leaves no ghost in the channel.
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => void this.gateway.invoke('VoiceHeartbeat').catch(() => undefined), joined.heartbeatMilliseconds);
    this.iceServers = joined.iceServers.map((s) => ({
      urls: [...s.urls],
      username: s.username ?? undefined,
      credential: s.credential ?? undefined,
    }));
    this.store.update({ canSpeak: joined.canSpeak, canVideo: joined.canVideo });
    return joined;
  }

  /** Publishes what we may send, then receives the others. */
  private async connect(joined: VoiceJoined) {
    if (!joined.canVideo) await Promise.all([this.stopCamera(), this.stopScreen()]);
    if (this.microphone || joined.canVideo) await this.publish(joined.canSpeak, joined.canVideo);
    this.store.update({
      status: 'connected',
      muted: this.muted,
      camera: !!this.camera,
      screen: !!this.screen,
      preview: this.camera ?? this.screen,
    });
    if (this.muted || this.deafened || this.camera || this.screen) await this.announce();
    this.sync();
  }

  private rejoining: Promise<void> | null = null;

  private rejoin() {
    this.rejoining ??= (async () => {
      this.sender?.close();
      this.sender = null;
      this.video = this.screenAudio = null;
      this.forget();
      this.store.update({ status: 'connecting' });
      try {
        const joined = await this.join();
        if (!this.stopped) await this.connect(joined);
      } catch (e) {
        await this.ended(e instanceof Error ? e.message.replace(/^.*HubException: /, '') : String(e));
      }
    })().finally(() => {
      this.rejoining = null;
    });
    return this.rejoining;
  }

  private async ended(reason: string, movedTo?: string | null) {
    const { joinVoice, leaveVoice } = await import('./store');
    const serverId = this.store.get()?.serverId;
    // A moderator moved us: follow (joinVoice leaves this call first).
    if (reason === 'moved' && movedTo && serverId) return joinVoice(this.gateway, serverId, movedTo);
    // The server stopped hearing from us for a while (the tab was frozen, the network stalled): we are back, so join again.
    if (reason === 'expired' && !this.stopped) return this.rejoin();
    await leaveVoice();
    this.store.fail(
      reason === 'another_device'
        ? 'You joined voice from another device or tab, so the call moved there.'
        : reason === 'disconnected'
          ? 'You were disconnected from the voice channel.'
          : `The call ended: ${reason}`,
    );
  }

  /** Drops the receiving PeerConnection and everything played from it. */
  private forget() {
    this.receiver?.close();
    this.receiver = null;
    this.audio.forEach((a) => a.remove());
    this.audio.clear();
    this.store.update({ videos: {} });
  }

  private async publish(canSpeak: boolean, canVideo: boolean) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: 'max-bundle' });
    this.sender = pc;
    const microphone = this.microphone?.getAudioTracks()[0];
    if (canSpeak && microphone) pc.addTransceiver(microphone, { direction: 'sendonly', streams: [this.microphone!] });
    // Empty until the camera or a screen share is turned on; the server refuses these m-lines without VIDEO.
    const picture = (this.camera ?? this.screen)?.getVideoTracks()[0];
    this.video = canVideo ? pc.addTransceiver(picture ?? 'video', { direction: 'sendonly' }) : null;
    const sound = this.screen?.getAudioTracks()[0];
    this.screenAudio = canVideo && canSpeak ? pc.addTransceiver(sound ?? 'audio', { direction: 'sendonly' }) : null;
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
      this.forget();
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
    const mid = e.transceiver.mid ?? e.track.id;
    if (e.track.kind === 'video') {
      const user = this.owners.get(mid);
      const videos = this.store.get()?.videos ?? {};
      if (user) this.store.update({ videos: { ...videos, [user]: new MediaStream([e.track]) } });
      return;
    }
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
      stats.forEach((s: { type: string; kind?: string; audioLevel?: number; trackIdentifier?: string }) => {
        const microphone =
          s.type === 'media-source' && s.kind === 'audio' && s.trackIdentifier === this.microphone?.getAudioTracks()[0]?.id;
        if (microphone && (s.audioLevel ?? 0) > SPEAKING_LEVEL) speaking.push(me);
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

  /** Turns the camera on (ending a screen share) or off. */
  async setCamera(on: boolean) {
    if (!this.video) return;
    if (on) {
      let camera: MediaStream;
      try {
        camera = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } } });
      } catch (e) {
        this.store.fail(cameraError(e, 'camera'));
        return;
      }
      if (this.stopped) return camera.getTracks().forEach((t) => t.stop());
      await this.stopScreen();
      this.camera = camera;
      await this.video.sender.replaceTrack(camera.getVideoTracks()[0] ?? null);
    } else {
      await this.stopCamera();
    }
    this.store.update({ camera: on, screen: false, preview: this.camera });
    await this.announce();
  }

  /** Shares a screen, window or tab (with its sound where the browser offers it), ending the camera; or stops. */
  async setScreen(on: boolean) {
    if (!this.video) return;
    if (on) {
      let screen: MediaStream;
      try {
        screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
      } catch (e) {
        this.store.fail(cameraError(e, 'screen'));
        return;
      }
      if (this.stopped) return screen.getTracks().forEach((t) => t.stop());
      await this.stopCamera();
      await this.stopScreen();
      this.screen = screen;
      const picture = screen.getVideoTracks()[0] ?? null;
      // The browser's own "Stop sharing" bar ends the track.
      picture?.addEventListener('ended', () => this.screen === screen && void this.setScreen(false));
      await this.video.sender.replaceTrack(picture);
      await this.screenAudio?.sender.replaceTrack(screen.getAudioTracks()[0] ?? null);
    } else {
      await this.stopScreen();
    }
    this.store.update({ screen: on, camera: false, preview: this.screen });
    await this.announce();
  }

  private async stopCamera() {
    this.camera?.getTracks().forEach((t) => t.stop());
    this.camera = null;
    await this.video?.sender.replaceTrack(null);
  }

  private async stopScreen() {
    this.screen?.getTracks().forEach((t) => t.stop());
    this.screen = null;
    await this.video?.sender.replaceTrack(null);
    await this.screenAudio?.sender.replaceTrack(null);
  }

  private announce() {
    return this.gateway
      .invoke('SetVoiceState', { selfMute: this.muted, selfDeaf: this.deafened, video: !!this.camera, stream: !!this.screen })
      .catch(() => undefined);
  }

  /** The receiving PeerConnection's stats, for tests and diagnostics. */
  receiverStats() {
    return this.receiver?.getStats() ?? Promise.resolve(null);
  }

  /** What we receive from each user, stream by stream (inbound-rtp totals), for tests and diagnostics. */
  async receivedByUser() {
    const received: Record<string, ReceivedStream[]> = {};
    if (!this.receiver) return received;
    const mids = new Map(this.receiver.getTransceivers().map((t) => [t.receiver.track.id, t.mid]));
    (await this.receiver.getStats()).forEach((s: InboundStats) => {
      const mid = s.type === 'inbound-rtp' ? mids.get(s.trackIdentifier ?? '') : undefined;
      const user = mid ? this.owners.get(mid) : undefined;
      if (!user || !mid) return;
      (received[user] ??= []).push({ mid, kind: s.kind ?? '', bytes: s.bytesReceived ?? 0, framesDecoded: s.framesDecoded ?? 0 });
    });
    return received;
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
    for (const stream of [this.microphone, this.camera, this.screen]) stream?.getTracks().forEach((t) => t.stop());
    this.sender?.close();
    this.receiver?.close();
    this.audio.forEach((a) => a.remove());
    this.audio.clear();
    const w = window as unknown as { kamachatVoice?: VoiceCall };
    if (w.kamachatVoice === this) delete w.kamachatVoice;
    await this.gateway.invoke('LeaveVoice').catch(() => undefined);
  }
}
