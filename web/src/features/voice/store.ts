import type { GatewayClient } from '../gateway/connection';
import type { VoiceCall } from './call';
import { voiceSettings } from './settings';

/** The user's own call, as the UI shows it. The call's code (WebRTC) is loaded on the first join. */
export interface CallState {
  channelId: string;
  serverId: string;
  status: 'connecting' | 'connected';
  muted: boolean;
  deafened: boolean;
  /** Whether we may send audio here (SPEAK). */
  canSpeak: boolean;
  /** Whether we may send camera and screen here (VIDEO). */
  canVideo: boolean;
  /** Our camera is on (sent instead of nothing; a screen share replaces it). */
  camera: boolean;
  /** We share a screen, a window or a tab. */
  screen: boolean;
  /** The video we receive, by user: the stream of their one video (camera or screen). */
  videos: Record<string, MediaStream>;
  /** Our own camera or screen, for the preview tile. */
  preview: MediaStream | null;
  /** Users heard speaking right now (ourselves included). */
  speaking: string[];
  /** Peer to peer (the server has no media server): at most four in the channel. */
  mesh: boolean;
  /** Push-to-talk mode, and whether its key is held now. */
  pushToTalk: boolean;
  talking: boolean;
}

type Listener = () => void;

let state: CallState | null = null;
let error: string | null = null;
let call: VoiceCall | null = null;
const listeners = new Set<Listener>();

function emit() {
  listeners.forEach((l) => l());
}

export const voiceStore = {
  subscribe(listener: Listener) {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  },
  get: () => state,
  getError: () => error,
  update(next: Partial<CallState> | null) {
    state = next === null ? null : state ? { ...state, ...next } : null;
    emit();
  },
  fail(message: string | null) {
    error = message;
    emit();
  },
};

/** Joins a voice channel (leaving the current one first: one call at a time). */
export async function joinVoice(gateway: GatewayClient, serverId: string, channelId: string) {
  if (state?.channelId === channelId) return;
  await leaveVoice();
  // One call at a time: a DM call ends when a voice channel is joined.
  await import('../calls/store').then(({ hangUp }) => hangUp());
  error = null;
  state = {
    channelId,
    serverId,
    status: 'connecting',
    muted: false,
    deafened: false,
    canSpeak: true,
    canVideo: false,
    camera: false,
    screen: false,
    videos: {},
    preview: null,
    speaking: [],
    mesh: false,
    pushToTalk: voiceSettings.get().mode === 'ptt',
    talking: false,
  };
  emit();
  const { VoiceCall } = await import('./call');
  const mine = new VoiceCall(gateway, channelId, voiceStore);
  call = mine;
  try {
    await mine.start();
  } catch (e) {
    if (call === mine) {
      call = null;
      await mine.stop();
      state = null;
      error = e instanceof Error ? e.message.replace(/^.*HubException: /, '') : String(e);
      emit();
    }
  }
}

export async function leaveVoice() {
  const current = call;
  call = null;
  state = null;
  emit();
  await current?.stop();
}

export function toggleMute() {
  if (state) call?.setMuted(!state.muted);
}

export function toggleDeafen() {
  if (state) call?.setDeafened(!state.deafened);
}

export function toggleCamera() {
  if (state) void call?.setCamera(!state.camera);
}

export function toggleScreen() {
  if (state) void call?.setScreen(!state.screen);
}
