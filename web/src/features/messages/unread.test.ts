import { describe, expect, it } from 'vitest';
import { countAfter, firstUnreadIndex, mentionsMe } from './unread';

const msg = (id: string, author = 'other', localState?: string) => ({ id, author: { id: author }, localState });

describe('the new-messages divider', () => {
  const list = [msg('10'), msg('11', 'me'), msg('12'), msg('13'), msg('14', 'me', 'pending')];

  it('goes before the first message after the marker that someone else wrote', () => {
    expect(firstUnreadIndex(list, '10', 'me')).toEqual({ index: 2, before: false });
    expect(firstUnreadIndex(list, '13', 'me')).toEqual({ index: -1, before: false });
    expect(firstUnreadIndex(list, null, 'me')).toEqual({ index: -1, before: false });
  });

  it('says when the marker is older than everything loaded', () => {
    expect(firstUnreadIndex(list, '9', 'me')).toEqual({ index: 0, before: true });
  });

  it('counts what others wrote after the marker, not my own or pending sends', () => {
    expect(countAfter(list, '10', 'me')).toBe(2);
    expect(countAfter(list, '9', 'me')).toBe(3);
    expect(countAfter(list, undefined, 'me')).toBe(0);
  });
});

describe('mentions of me', () => {
  const base = { mentions: [] as string[], mentionRoles: [] as string[], mentionsEveryone: false };
  it('are by name, by one of my roles, or @everyone', () => {
    expect(mentionsMe({ ...base, mentions: ['me'] }, 'me', new Set())).toBe(true);
    expect(mentionsMe({ ...base, mentionRoles: ['r1'] }, 'me', new Set(['r1']))).toBe(true);
    expect(mentionsMe({ ...base, mentionRoles: ['r2'] }, 'me', new Set(['r1']))).toBe(false);
    expect(mentionsMe({ ...base, mentionsEveryone: true }, 'me', new Set())).toBe(true);
    expect(mentionsMe({ ...base, mentions: ['you'] }, 'me', new Set())).toBe(false);
  });
});
