import { useState } from 'react';
import { errorMessage } from '../../../api/errors';
import type { Role } from '../../../api/types';
import { useMe } from '../../auth/queries';
import { displayName } from '../../users/displayName';
import { useAssignRoleMutation, useCreateRoleMutation, useMembers, useReorderRolesMutation, useRoles, useServers } from '../queries';
import { RoleEditor } from './RoleEditor';
import { cssColor, myTopPosition, reorder } from './roleColors';

const section = 'rounded-lg bg-side p-4 dark:bg-side-dark';
const input = 'rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-900';
const button = 'rounded-md bg-brand px-3 py-1 text-sm font-medium text-white hover:bg-brand-strong disabled:opacity-60';
const small = 'rounded bg-zinc-300 px-1.5 text-xs disabled:opacity-40 dark:bg-zinc-700';

/**
 * Server settings' roles: the hierarchy, highest first, reordered by dragging or with the move buttons (only the
 * roles below your own highest move, as the server enforces); the chosen role's editor; creating roles and giving them.
 */
export function RolesSection({ serverId }: { serverId: string }) {
  const { data: roles = [] } = useRoles(serverId);
  const { data: members = [] } = useMembers(serverId);
  const { data: me } = useMe();
  const server = useServers().find((s) => s.id === serverId);
  const createRole = useCreateRoleMutation(serverId);
  const assignRole = useAssignRoleMutation(serverId);
  const reorderRoles = useReorderRolesMutation(serverId);
  const [name, setName] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const [member, setMember] = useState('');
  const [role, setRole] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const myRoles = members.find((m) => m.userId === me?.id)?.roles ?? [];
  const top = myTopPosition(myRoles, roles, server?.ownerId === me?.id);
  const ordered = [...roles].sort((a, b) => b.position - a.position);
  const movable = ordered.filter((r) => r.id !== r.serverId && r.position < top);
  const fail = (err: unknown) => setError(errorMessage(err));
  const move = (r: Role, toIndex: number) => {
    const positions = reorder(roles, top, r.id, toIndex);
    if (!positions) return;
    setError(null);
    reorderRoles.mutate(positions, { onSuccess: () => setDone(`Moved ${r.name}`), onError: fail });
  };
  const create = (e: React.FormEvent) => {
    e.preventDefault();
    createRole.mutate(
      { name: name.trim(), permissions: 0n },
      {
        onSuccess: (created) => {
          setName('');
          setSelected(created.id);
          setDone('Role created');
        },
        onError: fail,
      },
    );
  };
  const assign = (e: React.FormEvent) => {
    e.preventDefault();
    assignRole.mutate({ userId: member, roleId: role }, { onSuccess: () => setDone('Role given'), onError: fail });
  };
  const chosen = roles.find((r) => r.id === selected);
  const assignable = ordered.filter((r) => r.id !== r.serverId);
  return (
    <section aria-labelledby="roles-h" className={section}>
      <h2 id="roles-h" className="font-semibold">
        Roles
      </h2>
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        Higher roles outrank lower ones. Drag a role, or use its arrows, to move it; you can move only the roles below your own highest
        role.
      </p>
      <ol aria-label="Role hierarchy" className="mt-2 flex flex-col gap-1">
        {ordered.map((r) => {
          const index = movable.findIndex((x) => x.id === r.id);
          const holders = members.filter((m) => m.roles.includes(r.id)).length;
          const everyone = r.id === r.serverId;
          return (
            <li
              key={r.id}
              data-testid="role-row"
              data-role-id={r.id}
              draggable={index >= 0}
              onDragStart={(e) => {
                e.dataTransfer.setData('text/plain', r.id);
                setDragging(r.id);
              }}
              onDragEnd={() => setDragging(null)}
              onDragOver={(e) => {
                if (dragging && index >= 0) e.preventDefault();
              }}
              onDrop={(e) => {
                e.preventDefault();
                const moved = roles.find((x) => x.id === dragging);
                setDragging(null);
                if (moved && index >= 0) move(moved, index);
              }}
              className={`flex items-center gap-2 rounded px-2 py-1 text-sm ${selected === r.id ? 'bg-zinc-300/60 dark:bg-zinc-700/60' : ''} ${index >= 0 ? 'cursor-grab' : ''}`}
            >
              <span aria-hidden="true" className="h-3 w-3 rounded-full border border-zinc-400" style={{ background: cssColor(r.color) }} />
              <button
                type="button"
                aria-pressed={selected === r.id}
                className="font-medium hover:underline"
                onClick={() => setSelected(selected === r.id ? null : r.id)}
              >
                {r.name}
              </button>
              <span className="text-xs text-zinc-700 dark:text-zinc-300">
                {everyone ? 'everyone' : `${holders} member${holders === 1 ? '' : 's'}`}
                {!everyone && index < 0 && ' · above your highest role'}
                {r.hoist && ' · shown separately'}
              </span>
              {index >= 0 && (
                <span className="ml-auto flex gap-1">
                  <button
                    type="button"
                    className={small}
                    aria-label={`Move ${r.name} up`}
                    disabled={index === 0}
                    onClick={() => move(r, index - 1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className={small}
                    aria-label={`Move ${r.name} down`}
                    disabled={index === movable.length - 1}
                    onClick={() => move(r, index + 1)}
                  >
                    ↓
                  </button>
                </span>
              )}
            </li>
          );
        })}
      </ol>
      {chosen && (
        <RoleEditor
          key={`${chosen.id}:${chosen.position}`}
          serverId={serverId}
          role={chosen}
          holders={members.filter((m) => m.roles.includes(chosen.id))}
          editable={chosen.position < top}
        />
      )}
      <form onSubmit={create} className="mt-4 flex flex-wrap items-end gap-2">
        <label className="flex flex-col text-xs font-bold uppercase">
          Role name
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} className={input} />
        </label>
        <button type="submit" className={button}>
          Create role
        </button>
      </form>
      <form onSubmit={assign} className="mt-4 flex flex-wrap items-end gap-2">
        <label className="flex flex-col text-xs font-bold uppercase">
          Member
          <select aria-label="Member" required value={member} onChange={(e) => setMember(e.target.value)} className={input}>
            <option value="">Choose…</option>
            {members.map((m) => (
              <option key={m.userId} value={m.userId}>
                {displayName(m)}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-xs font-bold uppercase">
          Role
          <select aria-label="Role" required value={role} onChange={(e) => setRole(e.target.value)} className={input}>
            <option value="">Choose…</option>
            {assignable.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className={button}>
          Give role
        </button>
      </form>
      {done && (
        <p role="status" className="mt-1 text-sm text-emerald-700 dark:text-emerald-400">
          {done}
        </p>
      )}
      {error && (
        <p role="alert" className="mt-1 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </section>
  );
}
