import { describe, expect, it } from 'vitest';
import { moveCategory, moveChannel, type PlacedChannel } from './channelMoves';

const ch = (id: string, position: number, parentId: string | null = null, type = 'text'): PlacedChannel => ({
  id,
  type,
  name: id,
  parentId,
  position,
  lastMessageId: null,
});

// general and random outside; category K holding a and b; empty category E.
const server = [
  ch('general', 0),
  ch('random', 3),
  ch('K', 1, null, 'category'),
  ch('E', 2, null, 'category'),
  ch('a', 0, 'K'),
  ch('b', 5, 'K'),
];

describe('moveChannel', () => {
  it('moves a channel into a category at the place it was dropped, renumbering both lists', () => {
    expect(moveChannel(server, 'random', 'K', 1)).toEqual([
      { id: 'random', position: 1, parentId: 'K' },
      { id: 'b', position: 2, parentId: 'K' },
    ]);
  });

  it('moves a channel into an empty category and out of one again ("0" means none)', () => {
    expect(moveChannel(server, 'a', 'E', 0)).toEqual([
      { id: 'b', position: 0, parentId: 'K' },
      { id: 'a', position: 0, parentId: 'E' },
    ]);
    expect(moveChannel(server, 'a', '', 0)).toEqual([
      { id: 'b', position: 0, parentId: 'K' },
      { id: 'a', position: 0, parentId: '0' },
      { id: 'general', position: 1, parentId: '0' },
      { id: 'random', position: 2, parentId: '0' },
    ]);
  });

  it('reorders within a list, and a drop where it already is changes nothing', () => {
    expect(moveChannel(server, 'random', '', 0)).toEqual([
      { id: 'random', position: 0, parentId: '0' },
      { id: 'general', position: 1, parentId: '0' },
    ]);
    expect(moveChannel(server, 'a', 'K', 0)).toEqual([{ id: 'b', position: 1, parentId: 'K' }]);
    expect(moveChannel(server, 'K', 'E', 0)).toEqual([]);
  });
});

describe('moveCategory', () => {
  it('swaps a category with its neighbour and stops at the ends', () => {
    // K (position 1) keeps its number; E takes 0.
    expect(moveCategory(server, 'E', -1)).toEqual([{ id: 'E', position: 0, parentId: '0' }]);
    expect(moveCategory(server, 'K', -1)).toEqual([]);
  });
});
