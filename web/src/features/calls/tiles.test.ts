import { describe, expect, it } from 'vitest';
import { callTiles, type LocalVideo } from './tiles';

const nameOf = (id: string) => ({ a: 'Ann', b: 'Bo', c: 'Cy' })[id] ?? 'Someone';
const idle: LocalVideo<string> = { camera: false, screen: false, preview: null, videos: { b: 'b-video', c: 'c-video' } };

describe('callTiles', () => {
  it('shows nobody while no camera is on and nobody shares, though every peer’s video track has arrived', () => {
    expect(callTiles({ participants: ['a', 'b', 'c'], video: [], stream: [] }, idle, 'a', nameOf)).toEqual([]);
  });

  it('shows our preview first, mirrored for the camera only, then the others the state names', () => {
    const camera = callTiles(
      { participants: ['a', 'b', 'c'], video: ['a', 'c'], stream: ['b'] },
      { ...idle, camera: true, preview: 'mine' },
      'a',
      nameOf,
    );
    expect(camera).toEqual([
      { userId: 'a', stream: 'mine', label: 'Your camera', mirrored: true },
      { userId: 'b', stream: 'b-video', label: 'Screen of Bo', mirrored: false },
      { userId: 'c', stream: 'c-video', label: 'Camera of Cy', mirrored: false },
    ]);
    const screen = callTiles({ participants: ['a'], video: [], stream: ['a'] }, { ...idle, screen: true, preview: 'mine' }, 'a', nameOf);
    expect(screen).toEqual([{ userId: 'a', stream: 'mine', label: 'Your screen', mirrored: false }]);
  });

  it('waits for a video that has not arrived and leaves out those no longer in the call', () => {
    const state = { participants: ['a', 'b'], video: ['b', 'c', 'd'], stream: [] };
    expect(callTiles(state, { ...idle, videos: { c: 'c-video' } }, 'a', nameOf)).toEqual([]);
  });
});
