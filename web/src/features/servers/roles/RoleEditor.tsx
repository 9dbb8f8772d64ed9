import { useState } from 'react';
import { errorMessage } from '../../../api/errors';
import type { Member, Role } from '../../../api/types';
import { Button } from '../../../ui/Button';
import { ConfirmDialog } from '../../../ui/Dialog';
import { displayName } from '../../users/displayName';
import { useDeleteRoleMutation, useUpdateRoleMutation } from '../queries';
import { PERMISSION_GROUPS } from './permissionCatalog';
import { cssColor } from './roleColors';

const input = 'rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-900';

/** Edits one role: name, colour, hoist, mentionable, every permission; deletes it after asking. */
export function RoleEditor({ serverId, role, holders, editable }: { serverId: string; role: Role; holders: Member[]; editable: boolean }) {
  const everyone = role.id === role.serverId;
  const [name, setName] = useState(role.name);
  const [color, setColor] = useState(role.color);
  const [hoist, setHoist] = useState(role.hoist);
  const [mentionable, setMentionable] = useState(role.mentionable);
  const [bits, setBits] = useState(BigInt(role.permissions));
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const update = useUpdateRoleMutation(serverId);
  const remove = useDeleteRoleMutation(serverId);
  const save = (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    update.mutate(
      { roleId: role.id, fields: { name: name.trim(), color, hoist, mentionable, permissions: bits } },
      { onSuccess: () => setStatus('Role saved'), onError: (err) => setError(errorMessage(err)) },
    );
  };
  return (
    <form onSubmit={save} aria-label={`Edit role ${role.name}`} className="mt-3 flex flex-col gap-3">
      {!editable && (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">This role is at or above your highest role: you can look, not change it.</p>
      )}
      <fieldset disabled={!editable} className="flex flex-col gap-3">
        <label className="flex flex-col text-xs font-bold uppercase">
          Name
          <input required maxLength={100} readOnly={everyone} value={name} onChange={(e) => setName(e.target.value)} className={input} />
        </label>
        {!everyone && (
          <>
            <div className="flex flex-wrap items-center gap-4 text-sm">
              <label className="flex items-center gap-2">
                Colour
                <input
                  type="color"
                  value={cssColor(color) ?? '#000000'}
                  onChange={(e) => setColor(parseInt(e.target.value.slice(1), 16))}
                />
              </label>
              <button type="button" className="underline" onClick={() => setColor(0)}>
                No colour
              </button>
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={hoist} onChange={(e) => setHoist(e.target.checked)} />
                Show members with this role separately
              </label>
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={mentionable} onChange={(e) => setMentionable(e.target.checked)} />
                Anyone can @mention this role
              </label>
            </div>
          </>
        )}
        {PERMISSION_GROUPS.map((group) => (
          <fieldset key={group.title} className="flex flex-col gap-1">
            <legend className="text-xs font-bold uppercase">{group.title} permissions</legend>
            {group.permissions.map((p) => (
              <label key={p.label} className="flex items-start gap-2 text-sm">
                <input
                  type="checkbox"
                  className="mt-1"
                  checked={(bits & p.bit) !== 0n}
                  onChange={(e) => setBits(e.target.checked ? bits | p.bit : bits & ~p.bit)}
                />
                <span>
                  <span className="font-medium">{p.label}</span>
                  <span className="block text-xs text-zinc-600 dark:text-zinc-400">{p.explanation}</span>
                </span>
              </label>
            ))}
          </fieldset>
        ))}
        <div className="flex gap-2">
          <Button type="submit" busy={update.isPending}>
            Save role
          </Button>
          {!everyone && (
            <Button variant="danger" onClick={() => setConfirming(true)}>
              Delete role
            </Button>
          )}
        </div>
      </fieldset>
      <section aria-label={`Members with ${role.name}`}>
        <h4 className="text-xs font-bold uppercase">{everyone ? 'Every member has this role' : `Members — ${holders.length}`}</h4>
        {!everyone && (
          <ul className="text-sm">
            {holders.map((m) => (
              <li key={m.userId}>{displayName(m)}</li>
            ))}
          </ul>
        )}
      </section>
      {status && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          {status}
        </p>
      )}
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title={`Delete ${role.name}?`}
          confirmLabel="Delete role"
          busy={remove.isPending}
          onClose={() => setConfirming(false)}
          onConfirm={() =>
            remove.mutate(role.id, {
              onSuccess: () => setConfirming(false),
              onError: (err) => {
                setConfirming(false);
                setError(errorMessage(err));
              },
            })
          }
        >
          {holders.length} member{holders.length === 1 ? '' : 's'} will lose it, and channels forget what it allowed. This cannot be undone.
        </ConfirmDialog>
      )}
    </form>
  );
}
