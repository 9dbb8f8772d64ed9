import { describe, expect, it } from 'vitest';
import { firstGrapheme, serverInitials } from './initials';

describe('server initials', () => {
  it.each([
    ['Kama Club 🎉', 'KC'],
    ['kama chat', 'kc'],
    ['Composer test', 'Ct'],
    ['one two three four', 'ott'],
    ['🎉 Party', 'P'],
    ['Élan Œuvre', 'ÉŒ'],
    ['2026 plans', '2p'],
    ['  spaced   out  ', 'so'],
  ])('%s gives %s', (name, initials) => expect(serverInitials(name)).toBe(initials));

  it('keeps an emoji-only name whole, never half a surrogate pair', () => {
    expect(serverInitials('🎉')).toBe('🎉');
    expect(serverInitials('👩‍👩‍👧 🎉')).toBe('👩‍👩‍👧');
  });

  it('never yields a lone surrogate', () => {
    for (const name of ['Kama Club 🎉', '🎉🎉🎉', 'a 🇫🇷 b'])
      expect(serverInitials(name)).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});

describe('an avatar letter', () => {
  it('is the first character whole', () => {
    expect(firstGrapheme('ann')).toBe('A');
    expect(firstGrapheme('🎉 party')).toBe('🎉');
    expect(firstGrapheme('e\u0301mile')).toBe('E\u0301');
  });
});
