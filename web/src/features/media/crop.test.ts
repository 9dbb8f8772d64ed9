import { describe, expect, it } from 'vitest';
import { centredView, clampView, cropOf, fitViewport, zoomView } from './crop';

const wide = { width: 400, height: 200 };
const square = { width: 200, height: 200 };
const banner = { width: 250, height: 100 };

describe('picture crop', () => {
  it('starts on the centre square at zoom 1', () => {
    expect(cropOf(wide, square, centredView(wide, square))).toEqual({ x: 100, y: 0, size: 200 });
  });

  it('never shows outside the image, however far it is dragged', () => {
    const view = clampView(wide, square, { zoom: 1, left: 500, top: -500 });
    expect(view).toEqual({ zoom: 1, left: 0, top: 0 });
    expect(cropOf(wide, square, clampView(wide, square, { zoom: 1, left: -5000, top: 0 }))).toEqual({ x: 200, y: 0, size: 200 });
  });

  it('zooms about the centre: twice the zoom is half the square around the same middle', () => {
    const zoomed = zoomView(wide, square, centredView(wide, square), 2);
    expect(cropOf(wide, square, zoomed)).toEqual({ x: 150, y: 50, size: 100 });
  });

  it('keeps zoom between 1 and 4', () => {
    expect(zoomView(wide, square, centredView(wide, square), 10).zoom).toBe(4);
    expect(zoomView(wide, square, centredView(wide, square), 0.1).zoom).toBe(1);
  });

  it('crops a banner at 5:2: the full width of a wide image, its centre band of a tall one', () => {
    expect(cropOf(wide, banner, centredView(wide, banner))).toEqual({ x: 0, y: 20, size: 400 });
    const tall = { width: 300, height: 900 };
    expect(cropOf(tall, banner, centredView(tall, banner))).toEqual({ x: 0, y: 390, size: 300 });
  });

  it('keeps a banner crop inside an image wider than 5:2', () => {
    const strip = { width: 1000, height: 100 };
    const crop = cropOf(strip, banner, clampView(strip, banner, { zoom: 1, left: -5000, top: 0 }));
    expect(crop).toEqual({ x: 750, y: 0, size: 250 });
    expect(crop.y + Math.floor((crop.size * 2) / 5)).toBeLessThanOrEqual(strip.height);
  });

  it('shrinks the crop frame to a narrow screen, keeping its aspect and the crop it gives', () => {
    const frame = { width: 400, height: 160 };
    expect(fitViewport(frame, 1000)).toBe(frame);
    const phone = fitViewport(frame, 318);
    expect(phone).toEqual({ width: 318, height: 127 });
    // The same image centred in either frame crops the same rectangle of it, up to rounding.
    const photo = { width: 3000, height: 2000 };
    const big = cropOf(photo, frame, centredView(photo, frame));
    const small = cropOf(photo, phone, centredView(photo, phone));
    expect(Math.abs(small.size - big.size)).toBeLessThanOrEqual(10);
    expect(Math.abs(small.y - big.y)).toBeLessThanOrEqual(10);
  });
});
