import { DesktopEventName } from '../../platform/desktopBridge';
import type { GatewayClient } from '../gateway/connection';
import type { CallSignal, VoiceJoined, VoiceSubscription } from '../gateway/protocol';
import { cameraStopped, microphoneError, microphoneStopped, onEnded, openMicrophone, openVideo, unheard } from './media';
import { MeshPeers, type Slot } from './mesh';
import { cameraConstraints, microphoneConstraints, voiceSettings, type VoiceSettings } from './settings';
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

/** Whether a key event comes from somewhere the user types (push-to-talk leaves typing alone). */
function typing(e: KeyboardEvent) {
  const target = e.target as HTMLElement | null;
  return !!target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Plays received audio on the chosen speaker, where the browser can choose (setSinkId). */
function routeAudio(element: HTMLAudioElement, speaker: string | null) {
  const sink = element as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  void sink.setSinkId?.(speaker ?? '').catch(() => undefined);
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
 *
 * On a server without Janus (JoinVoice answers mode "mesh") the same call runs peer to peer (mesh.ts): one
 * PeerConnection per other member, carrying the same three things both ways.
 *
 * The microphone follows the Voice & Video settings (device, echo cancellation, noise suppression), re-opened when
 * they change. In push-to-talk mode it is sent only while the key is held in this tab (or the desktop app's global
 * key): otherwise the sender has no track at all, so not even silence goes out. Deafening mutes too, as in Discord.
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
  /** Muted before deafening: undeafening restores it. */
  private mutedBeforeDeafen = false;
  /** The push-to-talk key is held. */
  private talking = false;
  private settings: VoiceSettings = voiceSettings.get();
  private cleanups: (() => void)[] = [];
  /** The Janus publisher's microphone transceiver. */
  private micTransceiver: RTCRtpTransceiver | null = null;
  /** Peer to peer (no Janus): our connections with the others, and who is in the channel. */
  private mesh: MeshPeers | null = null;
  private members = new Set<string>();
  private config: RTCConfiguration = {};
  private canSpeak = false;
  private canVideo = false;
  /** Server-deafened in a mesh call: we do not play what the others send (Janus would not forward it). */
  private serverDeafened = false;
  /** Opening the microphone again (Unmute without one). */
  private reopening: Promise<void> | null = null;
  /** What the user was last told about their microphone. */
  private microphoneMessage: string | null = null;

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
      if (signal[0] === 'signal' && signal[1].channelId === this.channelId)
        void this.mesh?.onSignal(signal[1].fromUserId, signal[1].signal);
      if (signal[0] === 'state' && signal[1].userId !== this.gateway.userId) {
        if (signal[1].channelId === this.channelId) this.members.add(signal[1].userId);
        else this.members.delete(signal[1].userId);
        this.mesh?.keep(this.members);
      }
    });
    this.listen();
    const joined = await this.join();
    (window as unknown as { kamachatVoice?: VoiceCall }).kamachatVoice = this;
    let micError: string | null = null;
    if (joined.canSpeak) {
      try {
        this.useMicrophone(await openMicrophone(microphoneConstraints(this.settings)));
      } catch (e) {
        micError = `${microphoneError(e)} ${unheard}`;
      }
    }
    if (this.stopped) return;
    this.muted = !this.microphone;
    await this.connect(joined);
    if (micError) this.tell(micError);
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
    this.config = { iceServers: this.iceServers, iceTransportPolicy: joined.iceTransportPolicy === 'relay' ? 'relay' : 'all' };
    this.canSpeak = joined.canSpeak;
    this.canVideo = joined.canVideo;
    this.members = new Set(joined.states.filter((s) => s.userId !== this.gateway.userId).map((s) => s.userId));
    // Server-deafened in a mesh: the server cannot stop what reaches us, so we do not play it (through Janus, Janus
    // stops it, and lifts that without a new join). A change ends the mesh call, so the next join says it again.
    this.serverDeafened = joined.mode === 'mesh' && !!joined.states.find((s) => s.userId === this.gateway.userId)?.deaf;
    this.audio.forEach((a) => (a.muted = this.deafened || this.serverDeafened));
    this.store.update({ canSpeak: joined.canSpeak, canVideo: joined.canVideo, mesh: joined.mode === 'mesh' });
    return joined;
  }

  /** Publishes what we may send, then receives the others (through Janus, or from each of them in a mesh). */
  private async connect(joined: VoiceJoined) {
    if (!joined.canVideo) await Promise.all([this.stopCamera(), this.stopScreen()]);
    if (joined.mode === 'mesh') return this.connectMesh();
    if (joined.canSpeak || joined.canVideo) await this.publish(joined.canSpeak, joined.canVideo);
    await this.connected();
    this.sync();
  }

  /** Shows the call as connected and tells the others how we are (muted, deafened, camera, screen) when not as a fresh join. */
  private async connected() {
    this.store.update({
      status: 'connected',
      muted: this.muted,
      camera: !!this.camera,
      screen: !!this.screen,
      preview: this.camera ?? this.screen,
    });
    if (this.muted || this.deafened || this.camera || this.screen) await this.announce();
  }

  private async connectMesh() {
    const send = (userId: string, signal: CallSignal) => this.gateway.invoke('SendVoiceSignal', userId, signal).catch(() => undefined);
    const mesh = new MeshPeers(send, this.config, {
      maysend: (slot) => (slot === 0 ? this.canSpeak : slot === 1 ? this.canVideo : this.canSpeak && this.canVideo),
      track: (slot) => this.trackFor(slot),
      received: (userId, slot, track) => this.playFrom(userId, slot, track),
      gone: (userId) => this.forgetUser(userId),
    });
    this.mesh = mesh;
    await this.connected();
    await mesh.offerTo([...this.members]);
  }

  /** What we send in each slot now: the microphone (unless push-to-talk is up), the camera or screen, the screen's sound. */
  private trackFor(slot: Slot): MediaStreamTrack | null {
    if (slot === 0) return this.settings.mode === 'ptt' && !this.talking ? null : (this.microphone?.getAudioTracks()[0] ?? null);
    if (slot === 1) return (this.camera ?? this.screen)?.getVideoTracks()[0] ?? null;
    return this.screen?.getAudioTracks()[0] ?? null;
  }

  /** Sends a slot's current track: on the Janus publisher's transceiver, or on every mesh connection. */
  private async sendSlot(slot: Slot) {
    const track = this.trackFor(slot);
    if (this.mesh) return this.mesh.replaceTrack(slot, track);
    const transceiver = slot === 0 ? this.micTransceiver : slot === 1 ? this.video : this.screenAudio;
    await transceiver?.sender.replaceTrack(track);
  }

  private playFrom(userId: string, slot: Slot, track: MediaStreamTrack) {
    if (track.kind === 'video') {
      const videos = this.store.get()?.videos ?? {};
      this.store.update({ videos: { ...videos, [userId]: new MediaStream([track]) } });
      return;
    }
    this.playAudio(`${userId}:${slot}`, userId, track);
  }

  private forgetUser(userId: string) {
    for (const [key, element] of this.audio) {
      if (element.dataset.voiceUser !== userId) continue;
      element.remove();
      this.audio.delete(key);
    }
    const videos = { ...(this.store.get()?.videos ?? {}) };
    delete videos[userId];
    this.store.update({ videos });
  }

  private playAudio(key: string, userId: string, track: MediaStreamTrack) {
    this.audio.get(key)?.remove();
    const element = document.createElement('audio');
    element.autoplay = true;
    element.muted = this.deafened || this.serverDeafened;
    element.srcObject = new MediaStream([track]);
    element.dataset.voiceUser = userId;
    routeAudio(element, this.settings.speaker);
    document.body.appendChild(element);
    this.audio.set(key, element);
  }

  /** Push-to-talk keys (while this tab has the focus, or the desktop app's global key) and settings changes. */
  private listen() {
    const key = (pressed: boolean) => (e: KeyboardEvent) => {
      if (this.settings.mode !== 'ptt' || e.code !== this.settings.pttKey || (pressed && (e.repeat || typing(e)))) return;
      this.setTalking(pressed);
    };
    const down = key(true);
    const up = key(false);
    const blur = () => this.setTalking(false);
    const desktop = (e: Event) =>
      this.settings.mode === 'ptt' && this.setTalking(!!(e as CustomEvent<{ pressed: boolean }>).detail?.pressed);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    window.addEventListener(DesktopEventName.pushToTalk, desktop);
    const unsubscribe = voiceSettings.subscribe((next) => void this.follow(next));
    this.cleanups.push(unsubscribe, () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
      window.removeEventListener(DesktopEventName.pushToTalk, desktop);
    });
  }

  /** Holds (or releases) the push-to-talk key: the microphone goes out only meanwhile. */
  setTalking(talking: boolean) {
    if (this.talking === talking) return;
    this.talking = talking;
    this.store.update({ talking });
    void this.sendSlot(0);
  }

  /** Applies changed settings to the running call: the microphone or camera re-opened, the speaker switched. */
  private async follow(next: VoiceSettings) {
    const before = this.settings;
    this.settings = next;
    if (this.stopped) return;
    if (next.speaker !== before.speaker) this.audio.forEach((a) => routeAudio(a, next.speaker));
    if (next.mode !== before.mode) {
      this.talking = false;
      this.store.update({ talking: false, pushToTalk: next.mode === 'ptt' });
      await this.sendSlot(0);
    }
    const micChanged =
      next.microphone !== before.microphone ||
      next.echoCancellation !== before.echoCancellation ||
      next.noiseSuppression !== before.noiseSuppression;
    if (micChanged && this.microphone) {
      try {
        const microphone = await openMicrophone(microphoneConstraints(next));
        if (this.stopped || !this.microphone) return microphone.getTracks().forEach((t) => t.stop());
        const old = this.microphone;
        this.useMicrophone(microphone);
        microphone.getAudioTracks().forEach((t) => (t.enabled = !this.muted));
        await this.sendSlot(0);
        old.getTracks().forEach((t) => t.stop());
      } catch (e) {
        // The one open goes on.
        this.store.fail(microphoneError(e));
      }
    }
    if (next.camera !== before.camera && this.camera) await this.setCamera(true);
  }

  private rejoining: Promise<void> | null = null;

  private rejoin() {
    this.rejoining ??= (async () => {
      this.sender?.close();
      this.sender = null;
      this.mesh?.stop();
      this.mesh = null;
      this.video = this.screenAudio = this.micTransceiver = null;
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
    // Peer to peer, what we may send changed (SPEAK, VIDEO, a server mute): join again, sending only that.
    if (reason === 'permissions' && serverId) return joinVoice(this.gateway, serverId, this.channelId);
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
    // The microphone's m-line even without one (none, or refused): Unmute opens it later and only swaps the track in.
    const microphone = this.microphone?.getAudioTracks()[0];
    if (canSpeak) {
      this.micTransceiver = microphone
        ? pc.addTransceiver(microphone, { direction: 'sendonly', streams: [this.microphone!] })
        : pc.addTransceiver('audio', { direction: 'sendonly' });
      // Push-to-talk: the m-line carries the microphone, but nothing goes out until the key is held.
      if (!this.trackFor(0)) await this.micTransceiver.sender.replaceTrack(null);
    }
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
    this.playAudio(mid, this.owners.get(mid) ?? '', e.track);
  }

  /** Who is speaking: our microphone's level while unmuted, and each received audio stream's level. */
  private async measure() {
    const speaking: string[] = [];
    const me = this.gateway.userId;
    const sending = this.sender ?? this.mesh?.connections()[0]?.[1];
    if (sending && !this.muted && this.trackFor(0) && me) {
      const stats = await sending.getStats();
      stats.forEach((s: { type: string; kind?: string; audioLevel?: number; trackIdentifier?: string }) => {
        const microphone =
          s.type === 'media-source' && s.kind === 'audio' && s.trackIdentifier === this.microphone?.getAudioTracks()[0]?.id;
        if (microphone && (s.audioLevel ?? 0) > SPEAKING_LEVEL) speaking.push(me);
      });
    }
    const receiving: [string | undefined, RTCRtpTransceiver][] = [
      ...(this.receiver?.getTransceivers() ?? []).map((t): [string | undefined, RTCRtpTransceiver] => [
        t.mid ? this.owners.get(t.mid) : undefined,
        t,
      ]),
      ...(this.mesh?.connections() ?? []).flatMap(([userId, pc]) =>
        pc.getTransceivers().map((t): [string, RTCRtpTransceiver] => [userId, t]),
      ),
    ];
    for (const [user, transceiver] of receiving) {
      const level = transceiver.receiver.getSynchronizationSources()[0]?.audioLevel ?? 0;
      if (user && transceiver.receiver.track.kind === 'audio' && level > SPEAKING_LEVEL) speaking.push(user);
    }
    const current = this.store.get()?.speaking ?? [];
    if (speaking.length !== current.length || speaking.some((u) => !current.includes(u))) this.store.update({ speaking });
  }

  /** The microphone we send; unplugged or its permission taken back, we are muted for everyone and the user is told. */
  private useMicrophone(microphone: MediaStream) {
    this.microphone = microphone;
    onEnded(microphone.getAudioTracks()[0], () => {
      if (this.microphone !== microphone || this.stopped) return;
      this.microphone = null;
      this.muted = true;
      this.store.update({ muted: true });
      this.tell(microphoneStopped);
      void this.sendSlot(0);
      void this.announce();
    });
  }

  /** Tells the user about their microphone (a message cleared once it works again). */
  private tell(message: string) {
    this.microphoneMessage = message;
    this.store.fail(message);
  }

  /**
   * Unmute without a microphone (none at the join, or it stopped): opens it again, sends it on the microphone's
   * transceiver (replaceTrack: the Janus publisher's, or every mesh connection's slot, nothing renegotiated) and
   * unmutes; still refused or missing, says why and stays muted. Not without SPEAK, nor server-muted in a mesh (the
   * join said so); through Janus a server mute holds whatever we send, as Janus forwards none of it.
   */
  private reopenMicrophone() {
    if (!this.canSpeak || this.stopped || this.store.get()?.status !== 'connected') return Promise.resolve();
    this.reopening ??= (async () => {
      try {
        const microphone = await openMicrophone(microphoneConstraints(this.settings));
        if (this.stopped || this.microphone) return microphone.getTracks().forEach((t) => t.stop());
        this.useMicrophone(microphone);
        if (this.store.getError() === this.microphoneMessage) this.store.fail(null);
        this.setMuted(false);
        await this.sendSlot(0);
      } catch (e) {
        this.tell(`${microphoneError(e)} ${unheard}`);
      }
    })().finally(() => (this.reopening = null));
    return this.reopening;
  }

  setMuted(muted: boolean) {
    if (!this.microphone) {
      if (!muted) void this.reopenMicrophone();
      return;
    }
    // Unmuting while deafened undeafens, as in Discord, and leaves us unmuted whatever we were before deafening.
    if (!muted && this.deafened) {
      this.mutedBeforeDeafen = false;
      return this.setDeafened(false);
    }
    this.muted = muted;
    this.microphone.getAudioTracks().forEach((t) => (t.enabled = !muted));
    this.store.update({ muted });
    void this.announce();
  }

  /** Deafened: nothing received is played, and we are muted too (undeafening restores the mute as it was). */
  setDeafened(deafened: boolean) {
    if (deafened === this.deafened) return;
    this.deafened = deafened;
    this.audio.forEach((a) => (a.muted = deafened || this.serverDeafened));
    if (deafened) this.mutedBeforeDeafen = this.muted;
    const muted = deafened || this.mutedBeforeDeafen || !this.microphone;
    this.muted = muted;
    this.microphone?.getAudioTracks().forEach((t) => (t.enabled = !muted));
    this.store.update({ deafened, muted });
    void this.announce();
  }

  /** Turns the camera on (ending a screen share) or off. */
  async setCamera(on: boolean) {
    if (!this.canVideo) return;
    if (on) {
      const camera = await openVideo('camera', cameraConstraints(this.settings));
      if (!(camera instanceof MediaStream)) return this.store.fail(camera);
      if (this.stopped) return camera.getTracks().forEach((t) => t.stop());
      await this.stopScreen();
      await this.stopCamera();
      this.camera = camera;
      // Unplugged or its permission taken back: off for everyone, and the user is told.
      onEnded(camera.getVideoTracks()[0], () => {
        if (this.camera !== camera) return;
        this.store.fail(cameraStopped);
        void this.setCamera(false);
      });
      await this.sendSlot(1);
    } else {
      await this.stopCamera();
    }
    this.store.update({ camera: on, screen: false, preview: this.camera });
    await this.announce();
  }

  /** Shares a screen, window or tab (with its sound where the browser offers it), ending the camera; or stops. */
  async setScreen(on: boolean) {
    if (!this.canVideo) return;
    if (on) {
      const screen = await openVideo('screen');
      if (!(screen instanceof MediaStream)) return this.store.fail(screen);
      if (this.stopped) return screen.getTracks().forEach((t) => t.stop());
      await this.stopCamera();
      await this.stopScreen();
      this.screen = screen;
      // The browser's own "Stop sharing" bar ends the track.
      onEnded(screen.getVideoTracks()[0], () => this.screen === screen && void this.setScreen(false));
      await this.sendSlot(1);
      await this.sendSlot(2);
    } else {
      await this.stopScreen();
    }
    this.store.update({ screen: on, camera: false, preview: this.screen });
    await this.announce();
  }

  private async stopCamera() {
    this.camera?.getTracks().forEach((t) => t.stop());
    this.camera = null;
    await this.sendSlot(1);
  }

  private async stopScreen() {
    this.screen?.getTracks().forEach((t) => t.stop());
    this.screen = null;
    await this.sendSlot(1);
    await this.sendSlot(2);
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

  /** The devices the call has open now (their labels), for tests and diagnostics. */
  devices() {
    return {
      microphone: this.microphone?.getAudioTracks()[0]?.label ?? null,
      camera: this.camera?.getVideoTracks()[0]?.label ?? null,
    };
  }

  /** Peer to peer: each connection's stats by user, for tests and diagnostics. */
  async meshStats(): Promise<Record<string, RTCStatsReport>> {
    const result: Record<string, RTCStatsReport> = {};
    for (const [userId, pc] of this.mesh?.connections() ?? []) result[userId] = await pc.getStats();
    return result;
  }

  /** What we receive from each user, stream by stream (inbound-rtp totals), for tests and diagnostics. */
  async receivedByUser() {
    const received: Record<string, ReceivedStream[]> = {};
    for (const [userId, report] of Object.entries(await this.meshStats()))
      report.forEach((s: InboundStats & { mid?: string }) => {
        if (s.type === 'inbound-rtp')
          (received[userId] ??= []).push({
            mid: s.mid ?? '',
            kind: s.kind ?? '',
            bytes: s.bytesReceived ?? 0,
            framesDecoded: s.framesDecoded ?? 0,
          });
      });
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
    this.cleanups.forEach((c) => c());
    this.mesh?.stop();
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
