import { describe, expect, it } from 'vitest';
import { centredView, clampView, cropOf, zoomView } from './crop';

const wide = { width: 400, height: 200 };

describe('picture crop', () => {
  it('starts on the centre square at zoom 1', () => {
    expect(cropOf(wide, 200, centredView(wide, 200))).toEqual({ x: 100, y: 0, size: 200 });
  });

  it('never shows outside the image, however far it is dragged', () => {
    const view = clampView(wide, 200, { zoom: 1, left: 500, top: -500 });
    expect(view).toEqual({ zoom: 1, left: 0, top: 0 });
    expect(cropOf(wide, 200, clampView(wide, 200, { zoom: 1, left: -5000, top: 0 }))).toEqual({ x: 200, y: 0, size: 200 });
  });

  it('zooms about the centre: twice the zoom is half the square around the same middle', () => {
    const zoomed = zoomView(wide, 200, centredView(wide, 200), 2);
    expect(cropOf(wide, 200, zoomed)).toEqual({ x: 150, y: 50, size: 100 });
  });

  it('keeps zoom between 1 and 4', () => {
    expect(zoomView(wide, 200, centredView(wide, 200), 10).zoom).toBe(4);
    expect(zoomView(wide, 200, centredView(wide, 200), 0.1).zoom).toBe(1);
  });
});
