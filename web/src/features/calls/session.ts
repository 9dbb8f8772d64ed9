import type { CallListener, GatewayClient } from '../gateway/connection';
import type { CallSignal, DmCallJoined, DmCallState } from '../gateway/protocol';
import type { dmCallStore as Store } from './store';
import { applyEarly, applySignal, closeTrickled, trickled, type Trickled } from './trickle';

/** One other participant: our PeerConnection with them, its candidates, and the audio played from them. */
interface Peer extends Trickled {
  audio: HTMLAudioElement | null;
}

function microphoneError(e: unknown): string {
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Microphone access was refused: the others cannot hear you. Allow it in the browser’s site settings.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No microphone was found: the others cannot hear you.';
  return 'The microphone could not be opened: the others cannot hear you.';
}

/**
 * A call in a DM or group DM, peer to peer: one PeerConnection per other participant (a mesh in a group DM). The
 * server relays signalling between gateway connections (SendCallSignal → "CallSignal"); the one who joins offers to
 * everyone already in the call, so two sides never offer to each other at once. ICE candidates trickle in small
 * batches, so a call through TURN connects as soon as one relay pair works.
 */
export class DmCallSession {
  private readonly peers = new Map<string, Peer>();
  private microphone: MediaStream | null = null;
  private config: RTCConfiguration = {};
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

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
      this.microphone = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (e) {
      this.store.fail(microphoneError(e));
    }
    if (this.stopped) return;
    const joined = await this.gateway.invoke<DmCallJoined>(how === 'start' ? 'StartCall' : 'AcceptCall', this.channelId);
    this.config = {
      iceServers: joined.iceServers.map((s) => ({
        urls: [...s.urls],
        username: s.username ?? undefined,
        credential: s.credential ?? undefined,
      })),
      iceTransportPolicy: joined.iceTransportPolicy === 'relay' ? 'relay' : 'all',
    };
    (window as unknown as { kamachatCall?: DmCallSession }).kamachatCall = this;
    this.store.update({ muted: !this.microphone });
    this.follow(joined.call);
    for (const userId of joined.call.participants) if (userId !== this.gateway.userId) await this.offerTo(userId);
  }

  private readonly onCall: CallListener = (e) => {
    if (e.kind === 'left' && e.channelId === this.channelId) void import('./store').then(({ endedElsewhere }) => endedElsewhere(this));
    if (e.kind === 'state' && e.state.channelId === this.channelId) this.follow(e.state);
    if (e.kind === 'signal' && e.signal.channelId === this.channelId) void this.onSignal(e.signal.fromUserId, e.signal.signal);
  };

  /** Keeps up with the call: peers who left are closed; once the call is over ours ends. */
  private follow(state: DmCallState) {
    if (state.ended) {
      void import('./store').then(({ endedElsewhere }) => endedElsewhere(this));
      return;
    }
    for (const userId of [...this.peers.keys()]) if (!state.participants.includes(userId)) this.closePeer(userId);
    this.store.update({ participants: state.participants, connectedAt: state.connectedAt ?? null });
  }

  private peer(userId: string): Peer {
    const existing = this.peers.get(userId);
    if (existing) return existing;
    const peer: Peer = {
      ...trickled(this.config, (candidates) => !this.stopped && void this.send(userId, { type: 'candidates', sdp: null, candidates })),
      audio: null,
    };
    const pc = peer.pc;
    this.peers.set(userId, peer);
    for (const track of this.microphone?.getAudioTracks() ?? []) pc.addTrack(track, this.microphone!);
    if (!this.microphone) pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.ontrack = (e) => this.play(peer, userId, e);
    pc.onconnectionstatechange = () => this.store.update({ status: this.anyConnected() ? 'connected' : 'connecting' });
    return peer;
  }

  private send(userId: string, signal: CallSignal) {
    return this.gateway.invoke('SendCallSignal', this.channelId, userId, signal).catch(() => undefined);
  }

  private async offerTo(userId: string) {
    const { pc } = this.peer(userId);
    await pc.setLocalDescription(await pc.createOffer());
    await this.send(userId, { type: 'offer', sdp: pc.localDescription!.sdp, candidates: null });
  }

  private async onSignal(from: string, signal: CallSignal) {
    if (this.stopped) return;
    if (signal.type === 'offer') {
      // A new offer from someone we already talk to (they rejoined): start over with them.
      if (this.peers.get(from)?.pc.remoteDescription) this.closePeer(from);
      const peer = this.peer(from);
      await peer.pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp ?? '' });
      await applyEarly(peer);
      await peer.pc.setLocalDescription(await peer.pc.createAnswer());
      await this.send(from, { type: 'answer', sdp: peer.pc.localDescription!.sdp, candidates: null });
    } else {
      await applySignal(signal.type === 'candidates' ? this.peer(from) : this.peers.get(from), signal);
    }
  }

  private play(peer: Peer, userId: string, e: RTCTrackEvent) {
    if (e.track.kind !== 'audio') return;
    peer.audio?.remove();
    const element = document.createElement('audio');
    element.autoplay = true;
    element.srcObject = new MediaStream([e.track]);
    element.dataset.callUser = userId;
    document.body.appendChild(element);
    peer.audio = element;
  }

  private anyConnected() {
    return [...this.peers.values()].some((p) => p.pc.connectionState === 'connected');
  }

  private closePeer(userId: string) {
    const peer = this.peers.get(userId);
    if (!peer) return;
    closeTrickled(peer);
    peer.audio?.remove();
    this.peers.delete(userId);
  }

  setMuted(muted: boolean) {
    if (!this.microphone) return;
    this.microphone.getAudioTracks().forEach((t) => (t.enabled = !muted));
    this.store.update({ muted });
  }

  /** Each PeerConnection's stats by user, for tests and diagnostics. */
  async peerStats(): Promise<Record<string, RTCStatsReport>> {
    const result: Record<string, RTCStatsReport> = {};
    for (const [userId, peer] of this.peers) result[userId] = await peer.pc.getStats();
    return result;
  }

  /** Ends our part: closes every PeerConnection; `hangUp` also tells the server (not when the server ended it). */
  async stop(hangUp: boolean) {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    for (const userId of [...this.peers.keys()]) this.closePeer(userId);
    this.microphone?.getTracks().forEach((t) => t.stop());
    const w = window as unknown as { kamachatCall?: DmCallSession };
    if (w.kamachatCall === this) delete w.kamachatCall;
    if (hangUp) await this.gateway.invoke('LeaveCall', this.channelId).catch(() => undefined);
  }
}
