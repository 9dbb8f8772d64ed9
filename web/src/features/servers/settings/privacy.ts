import { P } from '../permissions';
import type { Access } from './AccessPicker';
import type { Overwrite } from './queries';

const VIEW = P.VIEW_CHANNEL;

/** A channel is private when @everyone's overwrite denies View channels. */
export function isPrivate(overwrites: readonly Overwrite[], everyoneId: string) {
  const everyone = overwrites.find((o) => o.targetType === 'role' && o.targetId === everyoneId);
  return !!everyone && (BigInt(everyone.deny) & VIEW) !== 0n;
}

/** Who a private channel lets in: the roles and members whose overwrite allows View channels. */
export function accessOf(overwrites: readonly Overwrite[], everyoneId: string): Access {
  const allowed = overwrites.filter((o) => o.targetId !== everyoneId && (BigInt(o.allow) & VIEW) !== 0n);
  return {
    roles: new Set(allowed.filter((o) => o.targetType === 'role').map((o) => o.targetId)),
    members: new Set(allowed.filter((o) => o.targetType === 'member').map((o) => o.targetId)),
  };
}

const set = (o: Overwrite, allowView: boolean | null, denyView: boolean | null): Overwrite => {
  let allow = BigInt(o.allow);
  let deny = BigInt(o.deny);
  if (allowView !== null) allow = allowView ? allow | VIEW : allow & ~VIEW;
  if (denyView !== null) deny = denyView ? deny | VIEW : deny & ~VIEW;
  return { ...o, allow: allow.toString(), deny: deny.toString() };
};

/**
 * The overwrites to write so the channel is private to `access` (or public again), changing only View channels in
 * each and keeping every other bit; an overwrite left with nothing ("0"/"0") is to be removed.
 */
export function privacyChanges(current: readonly Overwrite[], everyoneId: string, makePrivate: boolean, access: Access): Overwrite[] {
  const find = (targetType: Overwrite['targetType'], targetId: string): Overwrite =>
    current.find((o) => o.targetType === targetType && o.targetId === targetId) ?? { targetType, targetId, allow: '0', deny: '0' };
  const out: Overwrite[] = [set(find('role', everyoneId), false, makePrivate)];
  if (makePrivate) {
    const before = accessOf(current, everyoneId);
    for (const [type, wanted, had] of [
      ['role', access.roles, before.roles],
      ['member', access.members, before.members],
    ] as const) {
      for (const id of wanted) if (!had.has(id)) out.push(set(find(type, id), true, false));
      for (const id of had) if (!wanted.has(id)) out.push(set(find(type, id), false, null));
    }
  }
  return out.filter((o) => {
    const was = current.find((c) => c.targetType === o.targetType && c.targetId === o.targetId);
    return was ? was.allow !== o.allow || was.deny !== o.deny : o.allow !== '0' || o.deny !== '0';
  });
}
