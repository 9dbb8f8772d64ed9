/** A square of the upright image, in its own pixels: what the server keeps of an uploaded picture. */
export interface SquareCrop {
  x: number;
  y: number;
  size: number;
}

/** Where the image sits in the square viewport: its zoom (1 = the short side fills it) and its top-left corner, in viewport pixels. */
export interface CropView {
  zoom: number;
  left: number;
  top: number;
}

export const MAX_ZOOM = 4;

/** Viewport pixels per image pixel. */
export const scaleOf = (image: { width: number; height: number }, viewport: number, zoom: number) =>
  (viewport * zoom) / Math.min(image.width, image.height);

/** The view with the image covering the viewport everywhere (no empty edges), centred when it is first shown. */
export function centredView(image: { width: number; height: number }, viewport: number, zoom = 1): CropView {
  const scale = scaleOf(image, viewport, zoom);
  return clampView(image, viewport, { zoom, left: (viewport - image.width * scale) / 2, top: (viewport - image.height * scale) / 2 });
}

/** Keeps the image over the whole viewport: a drag or zoom cannot show what lies outside it. */
export function clampView(image: { width: number; height: number }, viewport: number, view: CropView): CropView {
  const zoom = Math.min(MAX_ZOOM, Math.max(1, view.zoom));
  const scale = scaleOf(image, viewport, zoom);
  const clamp = (value: number, length: number) => Math.min(0, Math.max(viewport - length * scale, value));
  return { zoom, left: clamp(view.left, image.width), top: clamp(view.top, image.height) };
}

/** Zooms about the viewport's centre, so what the user looks at stays put. */
export function zoomView(image: { width: number; height: number }, viewport: number, view: CropView, zoom: number): CropView {
  const before = scaleOf(image, viewport, view.zoom);
  const after = scaleOf(image, viewport, Math.min(MAX_ZOOM, Math.max(1, zoom)));
  const centre = viewport / 2;
  return clampView(image, viewport, {
    zoom,
    left: centre - ((centre - view.left) / before) * after,
    top: centre - ((centre - view.top) / before) * after,
  });
}

/** The square of the image the viewport shows, in whole image pixels and always inside the image. */
export function cropOf(image: { width: number; height: number }, viewport: number, view: CropView): SquareCrop {
  const scale = scaleOf(image, viewport, view.zoom);
  const size = Math.max(1, Math.min(image.width, image.height, Math.round(viewport / scale)));
  const x = Math.min(image.width - size, Math.max(0, Math.round(-view.left / scale)));
  const y = Math.min(image.height - size, Math.max(0, Math.round(-view.top / scale)));
  return { x, y, size };
}
