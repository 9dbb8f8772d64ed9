import compact from 'emojibase-data/en/compact.json';
import github from 'emojibase-data/en/shortcodes/github.json';
import type { CompactEmoji, ShortcodesDataset } from 'emojibase';
import { describe, expect, it } from 'vitest';
import { buildIndex, CATEGORIES, replaceShortcodes, searchEmoji, withSkin } from './emojiData';

// The real data set, as the picker loads it.
const index = buildIndex(compact as CompactEmoji[], github as ShortcodesDataset);

describe('emoji data', () => {
  it('holds every category, in Unicode order, without the bare skin-tone components', () => {
    for (const category of CATEGORIES) expect(index.byGroup.get(category.group)?.length).toBeGreaterThan(20);
    expect(index.byGroup.has(2)).toBe(false);
    expect(index.byGroup.get(0)![0]!.emoji).toBe('😀');
    expect(index.all.length).toBeGreaterThan(1800);
  });

  it('finds by shortcode first, then by name and keyword', () => {
    const smi = searchEmoji(index, 'smi');
    expect(smi[0]!.shortcodes.some((c) => c.startsWith('smi'))).toBe(true);
    expect(smi.map((e) => e.emoji)).toContain('😄');
    expect(searchEmoji(index, '+1')[0]!.emoji).toBe('👍');
    expect(searchEmoji(index, 'thumbs up').map((e) => e.emoji)).toContain('👍');
    expect(searchEmoji(index, 'watermelon')[0]!.emoji).toBe('🍉');
    expect(searchEmoji(index, 'zzqqxx')).toEqual([]);
  });

  it('applies skin tones only to emoji that have them', () => {
    const wave = index.byShortcode.get('wave')!;
    expect(withSkin(wave, 0)).toBe('👋');
    expect(withSkin(wave, 5)).toBe('👋🏿');
    expect(withSkin(index.byShortcode.get('smile')!, 3)).toBe('😄');
  });

  it('replaces known :shortcodes: and leaves the rest as typed', () => {
    expect(replaceShortcodes('ship it :rocket: at 10:30 :not_an_emoji:', index)).toBe('ship it 🚀 at 10:30 :not_an_emoji:');
    expect(replaceShortcodes('run `a :rocket: b` :tada:\n```\nx = :smile:\n```', index)).toBe(
      'run `a :rocket: b` 🎉\n```\nx = :smile:\n```',
    );
  });
});
