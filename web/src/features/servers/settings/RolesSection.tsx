import { useState } from 'react';
import { errorMessage } from '../../../api/errors';
import { displayName } from '../../users/displayName';
import { P } from '../permissions';
import { useAssignRoleMutation, useCreateRoleMutation, useMembers, useRoles } from '../queries';
import { button, input, section } from './styles';

const PERMISSIONS: [string, bigint][] = [
  ['Administrator', P.ADMINISTRATOR],
  ['Manage server', P.MANAGE_SERVER],
  ['Manage channels', P.MANAGE_CHANNELS],
  ['Manage roles', P.MANAGE_ROLES],
  ['Kick members', P.KICK_MEMBERS],
  ['Ban members', P.BAN_MEMBERS],
  ['Time out members', P.MODERATE_MEMBERS],
  ['View audit log', P.VIEW_AUDIT_LOG],
  ['Create invite', P.CREATE_INVITE],
  ['View channels', P.VIEW_CHANNEL],
  ['Send messages', P.SEND_MESSAGES],
  ['Manage messages', P.MANAGE_MESSAGES],
  ['Pin messages', P.PIN_MESSAGES],
  ['Add reactions', P.ADD_REACTIONS],
];

/** Roles: create one with its permissions, and give it to a member. */
export function RolesSection({ serverId }: { serverId: string }) {
  const { data: roles = [] } = useRoles(serverId);
  const { data: members = [] } = useMembers(serverId);
  const createRole = useCreateRoleMutation(serverId);
  const assignRole = useAssignRoleMutation(serverId);
  const [name, setName] = useState('');
  const [bits, setBits] = useState<bigint>(P.VIEW_CHANNEL | P.SEND_MESSAGES);
  const [member, setMember] = useState('');
  const [role, setRole] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const create = (e: React.FormEvent) => {
    e.preventDefault();
    createRole.mutate(
      { name: name.trim(), permissions: bits },
      {
        onSuccess: () => {
          setName('');
          setDone('Role created');
        },
        onError: (err) => setError(errorMessage(err)),
      },
    );
  };
  const assign = (e: React.FormEvent) => {
    e.preventDefault();
    assignRole.mutate(
      { userId: member, roleId: role },
      {
        onSuccess: () => setDone('Role given'),
        onError: (err) => setError(errorMessage(err)),
      },
    );
  };
  const assignable = roles.filter((r) => r.name !== '@everyone');
  return (
    <section aria-labelledby="roles-h" className={section}>
      <h2 id="roles-h" className="font-semibold">
        Roles
      </h2>
      <ul className="mt-1 text-sm">
        {roles.map((r) => (
          <li key={r.id}>{r.name}</li>
        ))}
      </ul>
      <form onSubmit={create} className="mt-3">
        <label className="flex flex-col text-xs font-bold uppercase">
          Role name
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} className={input} />
        </label>
        <fieldset className="mt-2 grid grid-cols-2 gap-1 text-sm">
          <legend className="text-xs font-bold uppercase">Permissions</legend>
          {PERMISSIONS.map(([label, bit]) => (
            <label key={label} className="flex items-center gap-2">
              <input type="checkbox" checked={(bits & bit) !== 0n} onChange={(e) => setBits(e.target.checked ? bits | bit : bits & ~bit)} />{' '}
              {label}
            </label>
          ))}
        </fieldset>
        <button type="submit" className={`${button} mt-2`}>
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
