/** The lightbox's view of an image: scaled about the viewport's centre, then moved by (x, y) CSS pixels. */
export type ZoomView = { scale: number; x: number; y: number };

export const MIN_SCALE = 1;
export const MAX_SCALE = 8;
/** What double-click, + and - change the scale by. */
export const ZOOM_STEP = 2;

export const FIT: ZoomView = { scale: 1, x: 0, y: 0 };

type Size = { width: number; height: number };

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * Keeps the image covering the viewport where it can: it may not be dragged further than its scaled edges allow
 * (an image smaller than the viewport along an axis stays centred along it).
 */
export function clampPan(view: ZoomView, viewport: Size, image: Size): ZoomView {
  const maxX = Math.max(0, (image.width * view.scale - viewport.width) / 2);
  const maxY = Math.max(0, (image.height * view.scale - viewport.height) / 2);
  return { scale: view.scale, x: clamp(view.x, -maxX, maxX) || 0, y: clamp(view.y, -maxY, maxY) || 0 };
}

/**
 * Scales by `factor` keeping the image point under `point` (relative to the viewport's centre) where it is, as a
 * wheel or a pinch should; without a point, about the centre.
 */
export function zoomAt(view: ZoomView, factor: number, viewport: Size, image: Size, point = { x: 0, y: 0 }): ZoomView {
  const scale = clamp(view.scale * factor, MIN_SCALE, MAX_SCALE);
  if (scale === MIN_SCALE) return FIT;
  const ratio = scale / view.scale;
  return clampPan({ scale, x: point.x - (point.x - view.x) * ratio, y: point.y - (point.y - view.y) * ratio }, viewport, image);
}

/** Moves a zoomed image by a drag of (dx, dy); at fit size there is nothing to move. */
export function panBy(view: ZoomView, dx: number, dy: number, viewport: Size, image: Size): ZoomView {
  if (view.scale === MIN_SCALE) return view;
  return clampPan({ scale: view.scale, x: view.x + dx, y: view.y + dy }, viewport, image);
}

/** The wheel's zoom factor: smooth for trackpads' small deltas, one notch of a mouse wheel about 20 %. */
export const wheelFactor = (deltaY: number) => Math.exp(-clamp(deltaY, -100, 100) * 0.002);
