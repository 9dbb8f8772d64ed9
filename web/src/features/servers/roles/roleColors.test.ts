import { describe, expect, it } from 'vitest';
import type { Member, Role } from '../../../api/types';
import { groupMembers, memberColor, myTopPosition, reorder } from './roleColors';

const role = (id: string, position: number, color = 0, hoist = false): Role => ({
  id,
  serverId: 's',
  name: id,
  permissions: '0',
  color,
  position,
  mentionable: false,
  hoist,
});
const everyone = role('s', 0);
const member = (userId: string, roles: string[]): Member => ({
  serverId: 's',
  userId,
  username: userId,
  displayName: null,
  avatarUrl: null,
  nickname: null,
  roles,
  joinedAt: '2026-01-01T00:00:00Z',
  temporary: false,
  timedOutUntil: null,
});

describe('memberColor', () => {
  it('takes the highest role that has a colour, skipping colourless ones above it', () => {
    const roles = [everyone, role('red', 1, 0xff0000), role('plain', 3), role('blue', 2, 0x0000ff)];
    expect(memberColor(['red', 'plain', 'blue'], roles)).toBe('#0000ff');
    expect(memberColor(['red'], roles)).toBe('#ff0000');
    expect(memberColor(['plain'], roles)).toBeUndefined();
    expect(memberColor([], roles)).toBeUndefined();
  });

  it('pads small colours to six hex digits', () => {
    expect(memberColor(['g'], [role('g', 1, 0x00ff00)])).toBe('#00ff00');
  });
});

describe('groupMembers', () => {
  it('puts online members under their highest hoisted role, then Online, then Offline, each by name', () => {
    const roles = [everyone, role('mods', 3, 0, true), role('vips', 2, 0, true), role('quiet', 4)];
    const members = [
      member('zed', ['vips', 'mods']),
      member('amy', ['vips']),
      member('bob', []),
      member('cat', ['mods']),
      member('dan', ['mods']),
    ];
    const online = new Set(['zed', 'amy', 'bob', 'cat']);
    const groups = groupMembers(
      members,
      roles,
      (m) => online.has(m.userId),
      (m) => m.username,
    );
    expect(groups.map((g) => [g.label, g.members.map((m) => m.userId)])).toEqual([
      ['mods', ['cat', 'zed']],
      ['vips', ['amy']],
      ['Online', ['bob']],
      ['Offline', ['dan']],
    ]);
  });
});

describe('reorder', () => {
  const roles = [everyone, role('a', 4), role('b', 3), role('c', 2), role('d', 1)];

  it('moves within the roles below my highest and numbers them from the bottom', () => {
    // My highest is "a" (4): b, c, d are mine to move; d goes to the top of them.
    expect(reorder(roles, 4, 'd', 0)).toEqual([
      { id: 'd', position: 3 },
      { id: 'b', position: 2 },
      { id: 'c', position: 1 },
    ]);
  });

  it('refuses roles at or above my highest and moves that go nowhere', () => {
    expect(reorder(roles, 4, 'a', 1)).toBeNull();
    expect(reorder(roles, 4, 'b', 0)).toBeNull();
    expect(reorder(roles, 4, 'b', 3)).toBeNull();
  });

  it('lets the owner move every role', () => {
    expect(myTopPosition([], roles, true)).toBe(Number.POSITIVE_INFINITY);
    expect(reorder(roles, Infinity, 'a', 3)?.map((p) => p.id)).toEqual(['b', 'c', 'd', 'a']);
    expect(myTopPosition(['c', 'b'], roles, false)).toBe(3);
  });
});
