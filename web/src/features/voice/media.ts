/** Why the camera or a screen share could not start, told plainly; null when the user closed the screen picker. */
export function cameraError(e: unknown, what: 'camera' | 'screen'): string | null {
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

/** What the user is told when their camera stops during a call without their asking. */
export const cameraStopped = 'The camera stopped: it was disconnected, or its permission was taken back.';

/**
 * Calls `ended` when the picture of `stream` ends by itself: the camera was unplugged or its permission taken back in
 * the browser's site settings, or a share was stopped from the browser's own bar. Our own stop() does not count.
 */
export function onVideoEnded(stream: MediaStream, ended: () => void) {
  stream.getVideoTracks()[0]?.addEventListener('ended', ended, { once: true });
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
