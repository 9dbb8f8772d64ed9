/**
 * A rectangle of the upright image, in its own pixels: what the server keeps of an uploaded picture. `size` is its
 * width; its height follows from the picture's aspect (the same for a square, two fifths for a banner).
 */
export interface PictureCrop {
  x: number;
  y: number;
  size: number;
}

/** The crop frame on screen, in CSS pixels: a square for avatars and icons, 5:2 for banners. */
export interface Viewport {
  width: number;
  height: number;
}

/** Where the image sits in the viewport: its zoom (1 = it just covers the viewport) and its top-left corner, in viewport pixels. */
export interface CropView {
  zoom: number;
  left: number;
  top: number;
}

type Size = { width: number; height: number };

export const MAX_ZOOM = 4;

/** Viewport pixels per image pixel. */
export const scaleOf = (image: Size, viewport: Viewport, zoom: number) =>
  zoom * Math.max(viewport.width / image.width, viewport.height / image.height);

/** The view with the image covering the viewport everywhere (no empty edges), centred when it is first shown. */
export function centredView(image: Size, viewport: Viewport, zoom = 1): CropView {
  const scale = scaleOf(image, viewport, zoom);
  return clampView(image, viewport, {
    zoom,
    left: (viewport.width - image.width * scale) / 2,
    top: (viewport.height - image.height * scale) / 2,
  });
}

/** Keeps the image over the whole viewport: a drag or zoom cannot show what lies outside it. */
export function clampView(image: Size, viewport: Viewport, view: CropView): CropView {
  const zoom = Math.min(MAX_ZOOM, Math.max(1, view.zoom));
  const scale = scaleOf(image, viewport, zoom);
  const clamp = (value: number, length: number, side: number) => Math.min(0, Math.max(side - length * scale, value));
  return { zoom, left: clamp(view.left, image.width, viewport.width), top: clamp(view.top, image.height, viewport.height) };
}

/** Zooms about the viewport's centre, so what the user looks at stays put. */
export function zoomView(image: Size, viewport: Viewport, view: CropView, zoom: number): CropView {
  const before = scaleOf(image, viewport, view.zoom);
  const after = scaleOf(image, viewport, Math.min(MAX_ZOOM, Math.max(1, zoom)));
  const centre = { x: viewport.width / 2, y: viewport.height / 2 };
  return clampView(image, viewport, {
    zoom,
    left: centre.x - ((centre.x - view.left) / before) * after,
    top: centre.y - ((centre.y - view.top) / before) * after,
  });
}

/** The rectangle of the image the viewport shows, in whole image pixels, at the viewport's aspect and always inside the image. */
export function cropOf(image: Size, viewport: Viewport, view: CropView): PictureCrop {
  const scale = scaleOf(image, viewport, view.zoom);
  // The server takes the height as width × viewport.height / viewport.width, rounded down: keep that inside too.
  const widest = Math.min(image.width, Math.floor((image.height * viewport.width) / viewport.height));
  const size = Math.max(1, Math.min(widest, Math.round(viewport.width / scale)));
  const height = Math.max(1, Math.floor((size * viewport.height) / viewport.width));
  const x = Math.min(image.width - size, Math.max(0, Math.round(-view.left / scale)));
  const y = Math.min(image.height - height, Math.max(0, Math.round(-view.top / scale)));
  return { x, y, size };
}

/**
 * The crop frame shrunk, keeping its aspect, to fit `room` CSS pixels of width: a 400 px banner frame would overflow a
 * phone's dialog. Whole pixels, so the frame's edges stay crisp.
 */
export function fitViewport(frame: Viewport, room: number): Viewport {
  if (room >= frame.width) return frame;
  const width = Math.max(1, Math.floor(room));
  return { width, height: Math.round((width * frame.height) / frame.width) };
}
