import { describe, expect, it } from 'vitest';
import { clampPan, FIT, MAX_SCALE, panBy, wheelFactor, zoomAt } from './zoom';

const viewport = { width: 800, height: 600 };
const image = { width: 800, height: 600 };

describe('lightbox zoom', () => {
  it('keeps the point under the pointer in place', () => {
    // The point 200 px right of centre stays put: at 2× the image moves 200 px left.
    const view = zoomAt(FIT, 2, viewport, image, { x: 200, y: 0 });
    expect(view).toEqual({ scale: 2, x: -200, y: 0 });
    // The image point under (200, 0) before and after: (200 - x) / scale is the same.
    expect((200 - view.x) / view.scale).toBe(200);
  });

  it('never zooms below fit or above the maximum, and fit is centred', () => {
    expect(zoomAt({ scale: 2, x: -150, y: 40 }, 0.1, viewport, image)).toEqual(FIT);
    expect(zoomAt(FIT, 100, viewport, image).scale).toBe(MAX_SCALE);
  });

  it('cannot pan past the image edges, nor at fit size', () => {
    const zoomed = { scale: 2, x: 0, y: 0 };
    // At 2× an 800 px wide image is 1600 px: 400 px to either side of the viewport.
    expect(panBy(zoomed, 1000, -1000, viewport, image)).toEqual({ scale: 2, x: 400, y: -300 });
    expect(panBy(FIT, 50, 50, viewport, image)).toEqual(FIT);
  });

  it('keeps a narrow image centred along the axis it does not fill', () => {
    expect(clampPan({ scale: 2, x: 300, y: 300 }, viewport, { width: 200, height: 600 })).toEqual({ scale: 2, x: 0, y: 300 });
  });

  it('turns wheel deltas into zoom in (up) and out (down)', () => {
    expect(wheelFactor(-100)).toBeGreaterThan(1);
    expect(wheelFactor(100)).toBeLessThan(1);
    expect(wheelFactor(-10000)).toBe(wheelFactor(-100));
  });
});
