import { rgbaToThumbHash } from 'thumbhash';
import { describe, expect, it } from 'vitest';
import { fitWithin, placeholderDataUrl } from './placeholder';

describe('placeholderDataUrl', () => {
  it('turns a ThumbHash into an image and ignores a bad one', () => {
    const rgba = new Uint8Array(8 * 8 * 4).map((_, i) => (i % 4 === 3 ? 255 : i % 4 === 0 ? 200 : 40));
    const hash = btoa(String.fromCharCode(...rgbaToThumbHash(8, 8, rgba)));
    expect(placeholderDataUrl(hash)).toMatch(/^data:image\/png;base64,/);
    expect(placeholderDataUrl('not base64!')).toBeUndefined();
    expect(placeholderDataUrl(null)).toBeUndefined();
  });
});

describe('fitWithin', () => {
  it('scales down to the box keeping the shape, never up', () => {
    expect(fitWithin(1600, 1200, 400, 300)).toEqual({ width: 400, height: 300 });
    expect(fitWithin(1000, 3000, 400, 300)).toEqual({ width: 100, height: 300 });
    expect(fitWithin(120, 80, 400, 300)).toEqual({ width: 120, height: 80 });
    expect(fitWithin(null, null, 400, 300)).toEqual({ width: 400, height: 300 });
  });
});
