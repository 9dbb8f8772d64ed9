import type { Member, Role } from '../../../api/types';

/** A role's colour as CSS, or undefined for "no colour" (0). */
export function cssColor(color: number): string | undefined {
  return color === 0 ? undefined : `#${color.toString(16).padStart(6, '0')}`;
}

/** The colour a member's name shows in: their highest role that has one (Discord's rule); undefined when none does. */
export function memberColor(roleIds: readonly string[], roles: readonly Role[]): string | undefined {
  let best: Role | undefined;
  for (const role of roles) {
    if (role.color === 0 || !roleIds.includes(role.id)) continue;
    if (!best || role.position > best.position) best = role;
  }
  return best && cssColor(best.color);
}

export interface MemberGroup {
  /** A hoisted role's id, or "online" / "offline". */
  key: string;
  label: string;
  members: Member[];
}

/**
 * The member list's groups, as Discord shows them: each hoisted role (highest first) with its online members who
 * hold it as their highest hoisted role, then everyone else online, then everyone offline. Empty groups are left out.
 */
export function groupMembers(
  members: readonly Member[],
  roles: readonly Role[],
  isOnline: (m: Member) => boolean,
  name: (m: Member) => string,
): MemberGroup[] {
  const hoisted = roles.filter((r) => r.hoist && r.id !== r.serverId).sort((a, b) => b.position - a.position);
  const byName = (a: Member, b: Member) => name(a).localeCompare(name(b));
  const groups: MemberGroup[] = hoisted.map((r) => ({ key: r.id, label: r.name, members: [] }));
  const online: Member[] = [];
  const offline: Member[] = [];
  for (const m of members) {
    if (!isOnline(m)) {
      offline.push(m);
      continue;
    }
    const index = hoisted.findIndex((r) => m.roles.includes(r.id));
    (index >= 0 ? groups[index]!.members : online).push(m);
  }
  groups.push({ key: 'online', label: 'Online', members: online }, { key: 'offline', label: 'Offline', members: offline });
  return groups.filter((g) => g.members.length > 0).map((g) => ({ ...g, members: [...g.members].sort(byName) }));
}

/** The position of the highest role I hold; the owner stands above every role. Roles at or above it are not mine to manage. */
export function myTopPosition(myRoleIds: readonly string[], roles: readonly Role[], isOwner: boolean): number {
  if (isOwner) return Number.POSITIVE_INFINITY;
  return roles.filter((r) => myRoleIds.includes(r.id)).reduce((top, r) => Math.max(top, r.position), 0);
}

/**
 * Moves a role within the ones I may reorder (those below my highest, which hold positions 1..n) and answers the
 * positions to send: all of those roles, numbered 1..n from the bottom. Null when the move goes nowhere or out of range.
 */
export function reorder(roles: readonly Role[], top: number, roleId: string, toIndex: number): { id: string; position: number }[] | null {
  // Highest first, as the list shows them.
  const movable = roles.filter((r) => r.id !== r.serverId && r.position < top).sort((a, b) => b.position - a.position);
  const from = movable.findIndex((r) => r.id === roleId);
  if (from < 0 || toIndex < 0 || toIndex >= movable.length || toIndex === from) return null;
  const order = [...movable];
  const [moved] = order.splice(from, 1);
  order.splice(toIndex, 0, moved!);
  return order.map((r, i) => ({ id: r.id, position: order.length - i }));
}
