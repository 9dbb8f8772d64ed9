/**
 * What to tell the user when the operating system's privacy settings, not the user or the site's settings, keep the
 * browser from a device or from recording the screen (macOS does until the browser is allowed); null otherwise. Only
 * Chromium tells the two apart, as "Permission denied by system" where the user's own refusal is "Permission denied".
 */
export function systemBlock(e: unknown, what: 'camera' | 'microphone' | 'screen'): string | null {
  if (!(e instanceof DOMException && e.name === 'NotAllowedError' && /by system/i.test(e.message))) return null;
  return what === 'screen'
    ? 'Your system does not let the browser record the screen. Allow it in the system’s privacy settings (Screen Recording).'
    : `Your system does not let the browser use the ${what}. Allow it in the system’s privacy settings (${what === 'camera' ? 'Camera' : 'Microphone'}).`;
}

/** Why the camera or a screen share could not start, told plainly; null when the user closed the screen picker. */
export function cameraError(e: unknown, what: 'camera' | 'screen'): string | null {
  const system = systemBlock(e, what);
  if (system) return `${system} Then try again.`;
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
 * Why the microphone could not be opened, told plainly. A call adds what follows (`unheard`) when it goes on without
 * one; pressing Unmute opens it again.
 */
export function microphoneError(e: unknown): string {
  const system = systemBlock(e, 'microphone');
  if (system) return system;
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Microphone access was refused. Allow it in the browser’s site settings.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No microphone was found.';
  if (name === 'NotReadableError') return 'The microphone is in use by another program or could not be opened.';
  return `The microphone could not be opened${e instanceof Error && e.message ? ` (${e.message})` : ''}.`;
}

/** Said after `microphoneError` when the call goes on without a microphone. */
export const unheard = 'The others cannot hear you: press Unmute to try again.';

/**
 * Opens the microphone with `constraints`: the chosen device, or the default one when the chosen one is gone (its
 * exact deviceId is then unsatisfiable). Throws getUserMedia's error otherwise.
 */
export async function openMicrophone(constraints: MediaTrackConstraints): Promise<MediaStream> {
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: constraints });
  } catch (e) {
    const name = e instanceof DOMException ? e.name : '';
    if (!constraints.deviceId || (name !== 'OverconstrainedError' && name !== 'NotFoundError')) throw e;
    const { deviceId: _gone, ...others } = constraints;
    return navigator.mediaDevices.getUserMedia({ audio: others });
  }
}

/** What the user is told when their camera or microphone stops during a call without their asking. */
export const cameraStopped = 'The camera stopped: it was disconnected, or its permission was taken back.';
export const microphoneStopped = `The microphone stopped: it was disconnected, or its permission was taken back. ${unheard}`;

/**
 * Calls `ended` when `track` ends by itself: its device was unplugged or its permission taken back in the browser's
 * site settings, or a share was stopped from the browser's own bar. Our own stop() does not count.
 */
export function onEnded(track: MediaStreamTrack | undefined, ended: () => void) {
  track?.addEventListener('ended', ended, { once: true });
}

/**
 * Opens the camera (with `constraints`) or a screen, window or tab to share (with its sound where the browser offers
 * it): the stream, or what to tell the user (a string), or null when the user closed the screen picker.
 */
export async function openVideo(what: 'camera' | 'screen', constraints?: MediaTrackConstraints): Promise<MediaStream | string | null> {
  try {
    return what === 'camera'
      ? await navigator.mediaDevices.getUserMedia({ video: constraints ?? true })
      : await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
  } catch (e) {
    return cameraError(e, what);
  }
}
