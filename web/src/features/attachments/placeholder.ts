import { thumbHashToDataURL } from 'thumbhash';

/** The blurred preview a ThumbHash (base64, from the server) stands for, as a data URL; undefined when there is none or it is bad. */
export function placeholderDataUrl(hash: string | null | undefined): string | undefined {
  if (!hash) return undefined;
  try {
    const bytes = Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));
    return thumbHashToDataURL(bytes);
  } catch {
    return undefined;
  }
}

/** The size to show an image or video at: its own, scaled down to fit the box, never up. */
export function fitWithin(
  width: number | null,
  height: number | null,
  maxWidth: number,
  maxHeight: number,
): { width: number; height: number } {
  if (!width || !height) return { width: maxWidth, height: Math.round((maxWidth * 3) / 4) };
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
