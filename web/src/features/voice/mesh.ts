import { applyEarly, applySignal, closeTrickled, trickled, type Trickled } from '../calls/trickle';
import type { CallSignal } from '../gateway/protocol';

/**
 * What each PeerConnection of the mesh carries, in m-line order, both ways: the microphone, one video (camera or
 * screen) and the shared screen's sound. Fixed when the connection is made, so turning the camera on only swaps a
 * track (replaceTrack) on every connection, as with Janus.
 */
export const SLOTS = ['audio', 'video', 'audio'] as const;
export type Slot = 0 | 1 | 2;

export interface MeshHost {
  /** Whether we may send what a slot carries (SPEAK for 0, VIDEO for 1, both for 2). */
  maysend(slot: Slot): boolean;
  /** The track we send in a slot now (null: nothing). */
  track(slot: Slot): MediaStreamTrack | null;
  /** Someone's track arrived (their microphone or screen sound, or their video). */
  received(userId: string, slot: Slot, track: MediaStreamTrack): void;
  /** A peer is gone: drop what was played from them. */
  gone(userId: string): void;
  /** A connection's state changed (connecting, connected, failed…). */
  changed?(): void;
}

/**
 * A PeerConnection with each other member of a call, signalled through the gateway by `send`: a voice channel on a
 * server without a media server (at most three members, SendVoiceSignal → "VoiceSignal") and a DM or group DM call
 * (SendCallSignal → "CallSignal"). The one who joins offers to everyone already in, so two sides never offer to each
 * other at once; the others answer. Only slots we may send are offered or answered as sending: in a voice channel the
 * server refuses to relay anything else.
 */
export class MeshPeers {
  private readonly peers = new Map<string, Trickled>();
  private stopped = false;

  constructor(
    private readonly send: (userId: string, signal: CallSignal) => Promise<unknown>,
    private readonly config: RTCConfiguration,
    private readonly host: MeshHost,
  ) {}

  /** Offers to each member already in the channel. */
  async offerTo(userIds: string[]) {
    for (const userId of userIds) {
      const peer = this.open(userId);
      SLOTS.forEach((kind, i) => {
        const slot = i as Slot;
        const transceiver = peer.pc.addTransceiver(kind, { direction: this.host.maysend(slot) ? 'sendrecv' : 'recvonly' });
        if (this.host.maysend(slot)) void transceiver.sender.replaceTrack(this.host.track(slot));
      });
      await peer.pc.setLocalDescription(await peer.pc.createOffer());
      await this.send(userId, { type: 'offer', sdp: peer.pc.localDescription!.sdp, candidates: null });
    }
  }

  async onSignal(from: string, signal: CallSignal) {
    if (this.stopped) return;
    if (signal.type === 'offer') {
      // A new offer from someone we already talk to (they joined again): start over with them.
      if (this.peers.get(from)?.pc.remoteDescription) this.close(from);
      const peer = this.open(from);
      await peer.pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp ?? '' });
      const transceivers = peer.pc.getTransceivers();
      for (const [i, transceiver] of transceivers.entries()) {
        const slot = Math.min(i, 2) as Slot;
        const send = i < SLOTS.length && this.host.maysend(slot);
        transceiver.direction = send ? 'sendrecv' : 'recvonly';
        if (send) await transceiver.sender.replaceTrack(this.host.track(slot));
      }
      await applyEarly(peer);
      await peer.pc.setLocalDescription(await peer.pc.createAnswer());
      await this.send(from, { type: 'answer', sdp: peer.pc.localDescription!.sdp, candidates: null });
    } else {
      await applySignal(signal.type === 'candidates' ? this.open(from) : this.peers.get(from), signal);
    }
  }

  /** Sends what a slot carries now on every connection (the microphone opened or closed, the camera turned on…). */
  async replaceTrack(slot: Slot, track: MediaStreamTrack | null) {
    for (const { pc } of this.peers.values()) {
      const transceiver = pc.getTransceivers()[slot];
      if (transceiver && this.host.maysend(slot) && transceiver.currentDirection !== 'stopped')
        await transceiver.sender.replaceTrack(track);
    }
  }

  /** Keeps to the members still in the channel. */
  keep(userIds: Set<string>) {
    for (const userId of [...this.peers.keys()]) if (!userIds.has(userId)) this.close(userId);
  }

  connections(): [string, RTCPeerConnection][] {
    return [...this.peers].map(([userId, peer]) => [userId, peer.pc]);
  }

  /** Which slot a receiving transceiver is. */
  static slotOf(pc: RTCPeerConnection, transceiver: RTCRtpTransceiver): Slot {
    return Math.min(Math.max(pc.getTransceivers().indexOf(transceiver), 0), 2) as Slot;
  }

  private open(userId: string): Trickled {
    const existing = this.peers.get(userId);
    if (existing) return existing;
    const peer = trickled(
      this.config,
      (candidates) => !this.stopped && void this.send(userId, { type: 'candidates', sdp: null, candidates }),
    );
    const pc = peer.pc;
    this.peers.set(userId, peer);
    pc.ontrack = (e) => this.host.received(userId, MeshPeers.slotOf(pc, e.transceiver), e.track);
    pc.onconnectionstatechange = () => this.host.changed?.();
    return peer;
  }

  private close(userId: string) {
    const peer = this.peers.get(userId);
    if (!peer) return;
    closeTrickled(peer);
    this.peers.delete(userId);
    this.host.gone(userId);
  }

  stop() {
    this.stopped = true;
    for (const userId of [...this.peers.keys()]) this.close(userId);
  }
}
