import type { CallListener, GatewayClient } from '../gateway/connection';
import type { CallSignal, DmCallJoined, DmCallState } from '../gateway/protocol';
import { cameraStopped, microphoneError, microphoneStopped, onEnded, openMicrophone, openVideo, unheard } from '../voice/media';
import { MeshPeers, type Slot } from '../voice/mesh';
import { cameraConstraints, microphoneConstraints } from '../voice/settings';
import type { dmCallStore as Store } from './store';

/**
 * A call in a DM or group DM, peer to peer: one PeerConnection per other participant (a mesh in a group DM), with the
 * voice channels' mesh (MeshPeers) and its fixed slots: the microphone, one video (camera or screen) and the screen's
 * sound. Turning the camera on or sharing a screen only swaps the video slot's track on every connection
 * (replaceTrack), so nothing is renegotiated; SetCallMedia tells the others (the call state's `video` and `stream`),
 * who show the picture as a tile. The server relays signalling between gateway connections (SendCallSignal →
 * "CallSignal"); the one who joins offers to everyone already in the call, so two sides never offer to each other at
 * once. ICE candidates trickle in small batches, so a call through TURN connects as soon as one relay pair works.
 */
export class DmCallSession {
  private mesh: MeshPeers | null = null;
  private readonly audio = new Map<string, HTMLAudioElement>();
  private microphone: MediaStream | null = null;
  private camera: MediaStream | null = null;
  private screen: MediaStream | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  /** Opening the microphone again (Unmute without one). */
  private reopening: Promise<void> | null = null;
  /** What the user was last told about their microphone. */
  private microphoneMessage: string | null = null;

  constructor(
    private readonly gateway: GatewayClient,
    readonly channelId: string,
    private readonly store: typeof Store,
  ) {}

  /** Starts (or joins) the conversation's call, or answers it when it rings. */
  async start(how: 'start' | 'accept') {
    this.unsubscribe = this.gateway.onCall(this.onCall);
    // The microphone first: the offers we send carry it.
    try {
      this.useMicrophone(await openMicrophone(microphoneConstraints()));
    } catch (e) {
      this.tell(`${microphoneError(e)} ${unheard}`);
    }
    if (this.stopped) return;
    const joined = await this.gateway.invoke<DmCallJoined>(how === 'start' ? 'StartCall' : 'AcceptCall', this.channelId);
    const config: RTCConfiguration = {
      iceServers: joined.iceServers.map((s) => ({
        urls: [...s.urls],
        username: s.username ?? undefined,
        credential: s.credential ?? undefined,
      })),
      iceTransportPolicy: joined.iceTransportPolicy === 'relay' ? 'relay' : 'all',
    };
    const send = (userId: string, signal: CallSignal) =>
      this.gateway.invoke('SendCallSignal', this.channelId, userId, signal).catch(() => undefined);
    this.mesh = new MeshPeers(send, config, {
      maysend: () => true,
      track: (slot) => this.trackFor(slot),
      received: (userId, slot, track) => this.play(userId, slot, track),
      gone: (userId) => this.forget(userId),
      changed: () => this.store.update({ status: this.anyConnected() ? 'connected' : 'connecting' }),
    });
    (window as unknown as { kamachatCall?: DmCallSession }).kamachatCall = this;
    this.store.update({ muted: !this.microphone });
    this.follow(joined.call);
    // The camera turned on while we were still joining: the offers carry it, the others are told now.
    if (this.camera || this.screen) await this.announce();
    await this.mesh.offerTo(joined.call.participants.filter((userId) => userId !== this.gateway.userId));
  }

  private readonly onCall: CallListener = (e) => {
    if (e.kind === 'left' && e.channelId === this.channelId) void import('./store').then(({ endedElsewhere }) => endedElsewhere(this));
    if (e.kind === 'state' && e.state.channelId === this.channelId) this.follow(e.state);
    if (e.kind === 'signal' && e.signal.channelId === this.channelId) void this.mesh?.onSignal(e.signal.fromUserId, e.signal.signal);
  };

  /** Keeps up with the call: peers who left are closed; once the call is over ours ends. */
  private follow(state: DmCallState) {
    if (state.ended) {
      void import('./store').then(({ endedElsewhere }) => endedElsewhere(this));
      return;
    }
    this.mesh?.keep(new Set(state.participants));
    this.store.update({ participants: state.participants, connectedAt: state.connectedAt ?? null });
  }

  /** What we send in each slot now: the microphone, the camera or screen, the screen's sound. */
  private trackFor(slot: Slot): MediaStreamTrack | null {
    if (slot === 0) return this.microphone?.getAudioTracks()[0] ?? null;
    if (slot === 1) return (this.camera ?? this.screen)?.getVideoTracks()[0] ?? null;
    return this.screen?.getAudioTracks()[0] ?? null;
  }

  private async sendSlot(slot: Slot) {
    await this.mesh?.replaceTrack(slot, this.trackFor(slot));
  }

  /** Someone's sound plays in an audio element of its own; their picture goes to the store for the call's tiles. */
  private play(userId: string, slot: Slot, track: MediaStreamTrack) {
    if (track.kind === 'video') {
      this.store.update({ videos: { ...this.store.get()?.videos, [userId]: new MediaStream([track]) } });
      return;
    }
    const key = `${userId}:${slot}`;
    this.audio.get(key)?.remove();
    const element = document.createElement('audio');
    element.autoplay = true;
    element.srcObject = new MediaStream([track]);
    element.dataset.callUser = userId;
    document.body.appendChild(element);
    this.audio.set(key, element);
  }

  private forget(userId: string) {
    for (const [key, element] of this.audio) {
      if (element.dataset.callUser !== userId) continue;
      element.remove();
      this.audio.delete(key);
    }
    const videos = { ...this.store.get()?.videos };
    delete videos[userId];
    this.store.update({ videos });
  }

  private anyConnected() {
    return (this.mesh?.connections() ?? []).some(([, pc]) => pc.connectionState === 'connected');
  }

  setMuted(muted: boolean) {
    if (!this.microphone) {
      if (!muted) void this.reopenMicrophone();
      return;
    }
    this.microphone.getAudioTracks().forEach((t) => (t.enabled = !muted));
    this.store.update({ muted });
  }

  /** The microphone we send; unplugged or its permission taken back, we are shown muted and the user is told. */
  private useMicrophone(microphone: MediaStream) {
    this.microphone = microphone;
    onEnded(microphone.getAudioTracks()[0], () => {
      if (this.microphone !== microphone || this.stopped) return;
      this.microphone = null;
      this.store.update({ muted: true });
      this.tell(microphoneStopped);
    });
  }

  /** Tells the user about their microphone (a message cleared once it works again). */
  private tell(message: string) {
    this.microphoneMessage = message;
    this.store.fail(message);
  }

  /**
   * Unmute without a microphone (none at the start, or it stopped): opens it again, sends it on every connection's
   * microphone slot (replaceTrack, nothing renegotiated) and unmutes; still refused or missing, says why and stays muted.
   */
  private reopenMicrophone() {
    // Not before the call is set up: the start is still opening it.
    if (!this.mesh || this.stopped) return Promise.resolve();
    this.reopening ??= (async () => {
      try {
        const microphone = await openMicrophone(microphoneConstraints());
        if (this.stopped || this.microphone) return microphone.getTracks().forEach((t) => t.stop());
        this.useMicrophone(microphone);
        await this.sendSlot(0);
        if (this.store.getError() === this.microphoneMessage) this.store.fail(null);
        this.store.update({ muted: false });
      } catch (e) {
        this.tell(`${microphoneError(e)} ${unheard}`);
      }
    })().finally(() => (this.reopening = null));
    return this.reopening;
  }

  /** Turns the camera on (ending a screen share) or off. */
  async setCamera(on: boolean) {
    if (on) {
      const camera = await openVideo('camera', cameraConstraints());
      if (!(camera instanceof MediaStream)) return this.store.fail(camera);
      if (this.stopped) return camera.getTracks().forEach((t) => t.stop());
      this.closeVideo();
      this.camera = camera;
      // Unplugged or its permission taken back: off for everyone, and the user is told.
      onEnded(camera.getVideoTracks()[0], () => {
        if (this.camera !== camera) return;
        this.store.fail(cameraStopped);
        void this.setCamera(false);
      });
    } else {
      this.closeVideo();
    }
    await this.sendVideo();
  }

  /** Shares a screen, window or tab (with its sound where the browser offers it), ending the camera; or stops. */
  async setScreen(on: boolean) {
    if (on) {
      const screen = await openVideo('screen');
      if (!(screen instanceof MediaStream)) return this.store.fail(screen);
      if (this.stopped) return screen.getTracks().forEach((t) => t.stop());
      this.closeVideo();
      this.screen = screen;
      // The browser's own "Stop sharing" bar ends the track.
      onEnded(screen.getVideoTracks()[0], () => this.screen === screen && void this.setScreen(false));
    } else {
      this.closeVideo();
    }
    await this.sendVideo();
  }

  private closeVideo() {
    for (const stream of [this.camera, this.screen]) stream?.getTracks().forEach((t) => t.stop());
    this.camera = this.screen = null;
  }

  /** Sends the camera or screen (and the screen's sound) on every connection, shows it, and tells the others. */
  private async sendVideo() {
    await this.sendSlot(1);
    await this.sendSlot(2);
    this.store.update({ camera: !!this.camera, screen: !!this.screen, preview: this.camera ?? this.screen });
    if (this.mesh) await this.announce();
  }

  private announce() {
    const media = { video: !!this.camera, stream: !!this.screen };
    return this.gateway.invoke('SetCallMedia', this.channelId, media).catch(() => undefined);
  }

  /** Each PeerConnection's stats by user, for tests and diagnostics. */
  async peerStats(): Promise<Record<string, RTCStatsReport>> {
    const result: Record<string, RTCStatsReport> = {};
    for (const [userId, pc] of this.mesh?.connections() ?? []) result[userId] = await pc.getStats();
    return result;
  }

  /** Ends our part: closes every PeerConnection; `hangUp` also tells the server (not when the server ended it). */
  async stop(hangUp: boolean) {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.mesh?.stop();
    for (const element of this.audio.values()) element.remove();
    this.audio.clear();
    this.closeVideo();
    this.microphone?.getTracks().forEach((t) => t.stop());
    const w = window as unknown as { kamachatCall?: DmCallSession };
    if (w.kamachatCall === this) delete w.kamachatCall;
    if (hangUp) await this.gateway.invoke('LeaveCall', this.channelId).catch(() => undefined);
  }
}
