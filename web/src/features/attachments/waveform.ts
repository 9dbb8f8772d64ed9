/** The server's waveform (base64 of 0..255 loudness peaks) as fractions of full scale; none when absent or unreadable. */
export function decodeWaveform(base64: string | null | undefined): number[] {
  if (!base64) return [];
  try {
    return [...atob(base64)].map((c) => c.charCodeAt(0) / 255);
  } catch {
    return [];
  }
}

/** How far into the audio a click at `x` of a waveform `width` wide lands, 0..1. */
export function seekFraction(x: number, width: number): number {
  if (!(width > 0)) return 0;
  return Math.min(1, Math.max(0, x / width));
}

/** How many of `count` bars are played at `fraction` of the audio (a bar counts once playback reaches its start). */
export function playedBars(fraction: number, count: number): number {
  if (!(fraction > 0)) return 0;
  return Math.min(count, Math.ceil(Math.min(1, fraction) * count));
}

/** m:ss (h:mm:ss past an hour) of a time in seconds. */
export function formatTime(seconds: number): string {
  const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
