import { describe, expect, it } from 'vitest';
import { P } from '../permissions';
import { accessOf, isPrivate, privacyChanges } from './privacy';
import type { Overwrite } from './queries';

const VIEW = P.VIEW_CHANNEL.toString();
const SEND = P.SEND_MESSAGES.toString();
const both = (P.VIEW_CHANNEL | P.SEND_MESSAGES).toString();
const ow = (targetType: 'role' | 'member', targetId: string, allow = '0', deny = '0'): Overwrite => ({ targetType, targetId, allow, deny });

describe('privacy', () => {
  it('makes a channel private: denies @everyone View, lets the chosen roles and members in, keeps other bits', () => {
    const current = [ow('role', 'S', '0', SEND)];
    const changes = privacyChanges(current, 'S', true, { roles: new Set(['r1']), members: new Set(['m1']) });
    expect(changes).toEqual([ow('role', 'S', '0', both), ow('role', 'r1', VIEW), ow('member', 'm1', VIEW)]);
    expect(isPrivate(changes, 'S')).toBe(true);
    expect(accessOf(changes, 'S')).toEqual({ roles: new Set(['r1']), members: new Set(['m1']) });
  });

  it('takes out those no longer chosen, and opening the channel again only lifts the deny', () => {
    const current = [ow('role', 'S', '0', VIEW), ow('role', 'r1', VIEW), ow('role', 'r2', both)];
    expect(privacyChanges(current, 'S', true, { roles: new Set(['r2']), members: new Set() })).toEqual([ow('role', 'r1', '0')]);
    expect(privacyChanges(current, 'S', false, { roles: new Set(), members: new Set() })).toEqual([ow('role', 'S', '0', '0')]);
    expect(isPrivate(current, 'S')).toBe(true);
    expect(isPrivate([], 'S')).toBe(false);
  });
});
