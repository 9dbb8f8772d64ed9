import { useId, useState } from 'react';
import type { Member, Role } from '../../../api/types';
import { displayName } from '../../users/displayName';
import { input } from './styles';

export interface Access {
  roles: ReadonlySet<string>;
  members: ReadonlySet<string>;
}

export const NOBODY: Access = { roles: new Set(), members: new Set() };

const toggled = (set: ReadonlySet<string>, id: string, on: boolean) => {
  const next = new Set(set);
  if (on) next.add(id);
  else next.delete(id);
  return next;
};

/** Who may see a private channel: roles (not @everyone) and members, as checkboxes; members are filtered by name. */
export function AccessPicker({
  roles,
  members,
  everyoneId,
  value,
  onChange,
}: {
  roles: readonly Role[];
  members: readonly Member[];
  everyoneId: string;
  value: Access;
  onChange: (next: Access) => void;
}) {
  const [filter, setFilter] = useState('');
  const filterId = useId();
  const needle = filter.trim().toLowerCase();
  const shown = members
    .filter((m) => value.members.has(m.userId) || !needle || `${displayName(m)} ${m.username}`.toLowerCase().includes(needle))
    .slice(0, 25);
  return (
    <div className="flex flex-col gap-2 rounded-md border border-zinc-300 p-2 dark:border-zinc-700">
      <p className="text-xs text-zinc-600 dark:text-zinc-400">Only these roles and members (and administrators) will see it.</p>
      <fieldset className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
        <legend className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-300">Roles</legend>
        {roles.filter((r) => r.id !== everyoneId).length === 0 && <span className="text-zinc-600 dark:text-zinc-400">No roles yet.</span>}
        {roles
          .filter((r) => r.id !== everyoneId)
          .map((r) => (
            <label key={r.id} className="flex items-center gap-1.5">
              <input
                type="checkbox"
                checked={value.roles.has(r.id)}
                onChange={(e) => onChange({ ...value, roles: toggled(value.roles, r.id, e.target.checked) })}
              />
              {r.name}
            </label>
          ))}
      </fieldset>
      <fieldset className="flex flex-col gap-1 text-sm">
        <legend className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-300">Members</legend>
        <label htmlFor={filterId} className="sr-only">
          Find members
        </label>
        <input
          id={filterId}
          type="search"
          placeholder="Find members"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          className={input}
        />
        <div className="flex flex-wrap gap-x-4 gap-y-1">
          {shown.map((m) => (
            <label key={m.userId} className="flex items-center gap-1.5">
              <input
                type="checkbox"
                checked={value.members.has(m.userId)}
                onChange={(e) => onChange({ ...value, members: toggled(value.members, m.userId, e.target.checked) })}
              />
              {displayName(m)}
            </label>
          ))}
        </div>
      </fieldset>
    </div>
  );
}
