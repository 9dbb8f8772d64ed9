/**
 * Voice & Video settings, kept on this browser (localStorage): the chosen microphone, speaker and camera, the
 * microphone's processing (echo cancellation and noise suppression, on by default), and how the microphone opens
 * (voice activity, or push-to-talk with a key while the tab has the focus). A running call follows changes at once.
 */
export interface VoiceSettings {
  /** MediaDeviceInfo.deviceId; null: the system's default. */
  microphone: string | null;
  speaker: string | null;
  camera: string | null;
  echoCancellation: boolean;
  noiseSuppression: boolean;
  mode: 'voice' | 'ptt';
  /** KeyboardEvent.code of the push-to-talk key. */
  pttKey: string;
}

const KEY = 'kamachat.voice';

export const DEFAULT_VOICE_SETTINGS: VoiceSettings = {
  microphone: null,
  speaker: null,
  camera: null,
  echoCancellation: true,
  noiseSuppression: true,
  mode: 'voice',
  pttKey: 'Backquote',
};

type Listener = (settings: VoiceSettings) => void;
const listeners = new Set<Listener>();
let current: VoiceSettings | null = null;

function read(): VoiceSettings {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<VoiceSettings>;
    return { ...DEFAULT_VOICE_SETTINGS, ...stored, mode: stored.mode === 'ptt' ? 'ptt' : 'voice' };
  } catch {
    return { ...DEFAULT_VOICE_SETTINGS };
  }
}

export const voiceSettings = {
  get(): VoiceSettings {
    return (current ??= read());
  },
  update(change: Partial<VoiceSettings>) {
    current = { ...voiceSettings.get(), ...change };
    try {
      localStorage.setItem(KEY, JSON.stringify(current));
    } catch {
      // Private mode or full storage: the choice lasts for this page.
    }
    listeners.forEach((l) => l(current!));
  },
  subscribe(listener: Listener) {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  },
};

/** getUserMedia's audio constraints for the chosen microphone and processing. */
export function microphoneConstraints(settings: VoiceSettings = voiceSettings.get()): MediaTrackConstraints {
  return {
    ...(settings.microphone ? { deviceId: { exact: settings.microphone } } : {}),
    echoCancellation: settings.echoCancellation,
    noiseSuppression: settings.noiseSuppression,
    autoGainControl: true,
  };
}

/** getUserMedia's video constraints for the chosen camera. */
export function cameraConstraints(settings: VoiceSettings = voiceSettings.get()): MediaTrackConstraints {
  return {
    ...(settings.camera ? { deviceId: { exact: settings.camera } } : {}),
    width: { ideal: 1280 },
    height: { ideal: 720 },
  };
}

/** A key's name for people ("Backquote" → "`", "KeyV" → "V", "F8" → "F8"). */
export function keyLabel(code: string): string {
  if (code.startsWith('Key')) return code.slice(3);
  if (code.startsWith('Digit')) return code.slice(5);
  const names: Record<string, string> = { Backquote: '`', Space: 'Space', CapsLock: 'Caps Lock' };
  return names[code] ?? code;
}
