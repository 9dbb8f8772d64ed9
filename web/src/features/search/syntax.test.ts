import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../api/types';
import { filterValue, groupByChannel, highlightSegments, replaceToken, resultCount, tokenAt } from './syntax';

describe('tokenAt', () => {
  it('finds the filter being typed and its value so far', () => {
    expect(tokenAt('deploy from:ad', 14)).toMatchObject({ start: 7, key: 'from', value: 'ad' });
    expect(tokenAt('FROM:Ad', 7)).toMatchObject({ key: 'from', value: 'Ad' });
    expect(tokenAt('deploy fr', 9)).toMatchObject({ start: 7, key: null, text: 'fr' });
  });

  it('keeps a quoted value with spaces together', () => {
    expect(tokenAt('x in:"off to', 12)).toMatchObject({ start: 2, key: 'in', value: 'off to' });
  });

  it('treats unknown keys as words', () => {
    expect(tokenAt('10:30', 5)).toMatchObject({ key: null, text: '10:30' });
  });

  it('looks only at the word the caret is in', () => {
    expect(tokenAt('from:ada deploy', 3)).toMatchObject({ start: 0, end: 8, text: 'fro', key: null });
  });
});

describe('replaceToken', () => {
  it('completes a value and leaves room for the next word', () => {
    const text = 'deploy from:ad later';
    expect(replaceToken(text, tokenAt(text, 14), 'from:ada')).toEqual({ text: 'deploy from:ada later', caret: 16 });
  });

  it('completes a key and waits for its value', () => {
    expect(replaceToken('deploy fr', tokenAt('deploy fr', 9), 'from:')).toEqual({ text: 'deploy from:', caret: 12 });
  });

  it('quotes values with spaces', () => {
    expect(filterValue('off topic')).toBe('"off topic"');
    expect(filterValue('general')).toBe('general');
  });
});

describe('highlightSegments', () => {
  it('cuts content into plain and highlighted runs by UTF-16 ranges', () => {
    expect(highlightSegments('🙂 Café here', [{ start: 3, length: 4 }])).toEqual([
      { text: '🙂 ', highlighted: false },
      { text: 'Café', highlighted: true },
      { text: ' here', highlighted: false },
    ]);
  });

  it('ignores ranges outside the content and overlaps', () => {
    expect(
      highlightSegments('abcdef', [
        { start: 4, length: 10 },
        { start: 0, length: 2 },
        { start: 1, length: 2 },
        { start: 40, length: 1 },
      ]),
    ).toEqual([
      { text: 'ab', highlighted: true },
      { text: 'c', highlighted: true },
      { text: 'd', highlighted: false },
      { text: 'ef', highlighted: true },
    ]);
  });
});

describe('groupByChannel and resultCount', () => {
  const hit = (id: string, channelId: string) => ({ message: { id, channelId } }) as unknown as SearchHit;

  it('groups consecutive hits of a channel, keeping the order', () => {
    const groups = groupByChannel([hit('5', 'a'), hit('4', 'a'), hit('3', 'b'), hit('2', 'a')]);
    expect(groups.map((g) => [g.channelId, g.hits.map((h) => h.message.id)])).toEqual([
      ['a', ['5', '4']],
      ['b', ['3']],
      ['a', ['2']],
    ]);
  });

  it('says how many, with the cap', () => {
    expect(resultCount(1, false)).toBe('1 result');
    expect(resultCount(25, false)).toBe('25 results');
    expect(resultCount(1000, true)).toBe('1,000+ results');
  });
});
