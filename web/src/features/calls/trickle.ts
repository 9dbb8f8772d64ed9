import type { CallCandidate, CallSignal } from '../gateway/protocol';

/** How long trickled candidates are gathered before they go out together (one hub call per batch). */
const CANDIDATE_BATCH_MS = 100;
/** The most candidates one signal carries (the server's limit). */
const CANDIDATES_PER_SIGNAL = 32;

/** A PeerConnection signalled through the gateway, with its trickled ICE candidates both ways. */
export interface Trickled {
  pc: RTCPeerConnection;
  outgoing: RTCIceCandidateInit[];
  flush: ReturnType<typeof setTimeout> | undefined;
  /** Candidates that arrived before their description: applied once it is set. */
  early: RTCIceCandidateInit[];
}

/** A PeerConnection whose candidates go out in small batches through `send` (DM calls and peer-to-peer voice). */
export function trickled(config: RTCConfiguration, send: (candidates: CallCandidate[]) => void): Trickled {
  const peer: Trickled = { pc: new RTCPeerConnection(config), outgoing: [], flush: undefined, early: [] };
  const flush = () => {
    peer.flush = undefined;
    const candidates = peer.outgoing.splice(0, CANDIDATES_PER_SIGNAL).map((c) => ({
      candidate: c.candidate ?? '',
      sdpMid: c.sdpMid ?? null,
      sdpMLineIndex: c.sdpMLineIndex ?? null,
    }));
    if (peer.outgoing.length > 0) peer.flush = setTimeout(flush, CANDIDATE_BATCH_MS);
    if (candidates.length > 0) send(candidates);
  };
  peer.pc.onicecandidate = (e) => {
    if (!e.candidate) return;
    peer.outgoing.push(e.candidate.toJSON());
    peer.flush ??= setTimeout(flush, CANDIDATE_BATCH_MS);
  };
  return peer;
}

/** Applies the candidates that came before the remote description. */
export async function applyEarly(peer: Trickled) {
  for (const c of peer.early.splice(0)) await peer.pc.addIceCandidate(c).catch(() => undefined);
}

/** Applies the other side's answer (to our offer) or candidates; an offer is the caller's to handle. */
export async function applySignal(peer: Trickled | undefined, signal: CallSignal) {
  if (!peer) return;
  if (signal.type === 'answer') {
    if (peer.pc.signalingState !== 'have-local-offer') return;
    await peer.pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp ?? '' });
    await applyEarly(peer);
  } else if (signal.type === 'candidates') {
    const candidates = (signal.candidates ?? []).map((c) => ({ candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }));
    if (!peer.pc.remoteDescription) peer.early.push(...candidates);
    else for (const c of candidates) await peer.pc.addIceCandidate(c).catch(() => undefined);
  }
}

/** Closes the connection and stops a batch waiting to go out. */
export function closeTrickled(peer: Trickled) {
  clearTimeout(peer.flush);
  peer.pc.close();
}
