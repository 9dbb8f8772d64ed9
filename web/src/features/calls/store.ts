import type { GatewayClient } from '../gateway/connection';
import { leaveVoice } from '../voice/store';
import type { DmCallSession } from './session';

/** The user's own DM call, as the UI shows it. The call's code (WebRTC) is loaded on the first call. */
export interface DmCallUi {
  channelId: string;
  status: 'connecting' | 'connected';
  muted: boolean;
  participants: string[];
  /** When a second person joined (ISO), for the call's running time. */
  connectedAt: string | null;
  /** Our camera is on, or we share a screen (one at a time); `preview` is what we send, for our own tile. */
  camera: boolean;
  screen: boolean;
  preview: MediaStream | null;
  /** The video each other participant sends (their camera or screen), by user. */
  videos: Record<string, MediaStream>;
}

type Listener = () => void;

let state: DmCallUi | null = null;
let error: string | null = null;
let session: DmCallSession | null = null;
const listeners = new Set<Listener>();

function emit() {
  listeners.forEach((l) => l());
}

export const dmCallStore = {
  subscribe(listener: Listener) {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  },
  get: () => state,
  getError: () => error,
  update(next: Partial<DmCallUi>) {
    if (!state) return;
    state = { ...state, ...next };
    emit();
  },
  fail(message: string | null) {
    error = message;
    emit();
  },
};

/** Starts a call in a conversation (or joins the one going on there), or answers it: one call at a time. */
export async function joinCall(gateway: GatewayClient, channelId: string, how: 'start' | 'accept') {
  if (state?.channelId === channelId) return;
  await hangUp();
  await leaveVoice();
  error = null;
  state = {
    channelId,
    status: 'connecting',
    muted: false,
    participants: [],
    connectedAt: null,
    camera: false,
    screen: false,
    preview: null,
    videos: {},
  };
  emit();
  const { DmCallSession } = await import('./session');
  const mine = new DmCallSession(gateway, channelId, dmCallStore);
  session = mine;
  try {
    await mine.start(how);
  } catch (e) {
    if (session !== mine) return;
    session = null;
    state = null;
    await mine.stop(true);
    error = e instanceof Error ? e.message.replace(/^.*HubException: /, '').replace(/^[a-z_]+: /, '') : String(e);
    emit();
  }
}

/** Turns down a ringing call on every device of ours. */
export function declineCall(gateway: GatewayClient, channelId: string) {
  return gateway.invoke('DeclineCall', channelId).catch(() => undefined);
}

export async function hangUp() {
  const current = session;
  session = null;
  state = null;
  emit();
  await current?.stop(true);
}

/** The server ended our call (it is over, or another device of ours took it). */
export async function endedElsewhere(ended: DmCallSession) {
  if (session !== ended) return;
  session = null;
  state = null;
  emit();
  await ended.stop(false);
}

export function toggleCallMute() {
  if (state) session?.setMuted(!state.muted);
}

/** Turns our camera on (ending a screen share) or off. */
export function toggleCallCamera() {
  if (state) void session?.setCamera(!state.camera);
}

/** Shares a screen (ending the camera) or stops sharing. */
export function toggleCallScreen() {
  if (state) void session?.setScreen(!state.screen);
}
