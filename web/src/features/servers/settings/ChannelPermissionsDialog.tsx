import { useId, useState } from 'react';
import type { ReadyChannel } from '../../gateway/protocol';
import { Button } from '../../../ui/Button';
import { Dialog } from '../../../ui/Dialog';
import { displayName } from '../../users/displayName';
import { CHANNEL_PERMISSIONS, type PermissionInfo } from '../roles/permissionCatalog';
import { useMembers, useRoles } from '../queries';
import { permissionError } from './ChannelDialogs';
import { useOverwrites, useSetOverwriteMutation, type Overwrite, type OverwriteTargetType } from './queries';
import { input, muted } from './styles';

type Setting = 'allow' | 'inherit' | 'deny';

const settingOf = (o: Overwrite, bit: bigint): Setting =>
  (BigInt(o.allow) & bit) !== 0n ? 'allow' : (BigInt(o.deny) & bit) !== 0n ? 'deny' : 'inherit';

function withSetting(o: Overwrite, bit: bigint, setting: Setting): Overwrite {
  const allow = setting === 'allow' ? BigInt(o.allow) | bit : BigInt(o.allow) & ~bit;
  const deny = setting === 'deny' ? BigInt(o.deny) | bit : BigInt(o.deny) & ~bit;
  return { ...o, allow: allow.toString(), deny: deny.toString() };
}

const SETTINGS: [Setting, string, string][] = [
  ['allow', 'Allow', '✓'],
  ['inherit', 'Inherit', '/'],
  ['deny', 'Deny', '✕'],
];

function PermissionRow({ info, value, onChange }: { info: PermissionInfo; value: Setting; onChange: (s: Setting) => void }) {
  const name = useId();
  const labelId = useId();
  return (
    <div role="radiogroup" aria-labelledby={labelId} className="flex items-center gap-3 border-b border-zinc-200 py-2 dark:border-zinc-700">
      <div className="min-w-0 flex-1">
        <div id={labelId} className="text-sm font-medium">
          {info.label}
        </div>
        <p className="text-xs text-zinc-600 dark:text-zinc-400">{info.explanation}</p>
      </div>
      {SETTINGS.map(([setting, label, mark]) => (
        <label
          key={setting}
          title={label}
          className={`flex size-8 cursor-pointer items-center justify-center rounded-md border text-sm has-focus-visible:outline-2 has-focus-visible:outline-brand ${
            value === setting
              ? setting === 'allow'
                ? 'border-emerald-700 bg-emerald-700 text-white'
                : setting === 'deny'
                  ? 'border-red-700 bg-red-700 text-white'
                  : 'border-zinc-600 bg-zinc-600 text-white'
              : 'border-zinc-300 dark:border-zinc-600'
          }`}
        >
          <input
            type="radio"
            name={name}
            className="sr-only"
            checked={value === setting}
            onChange={() => onChange(setting)}
            aria-label={label}
          />
          <span aria-hidden="true">{mark}</span>
        </label>
      ))}
    </div>
  );
}

/**
 * A channel's permission overwrites, per role and per member: each permission allowed, inherited (from roles and the
 * category of the server) or denied, with what it does.
 */
export function ChannelPermissionsDialog({ serverId, channel, onClose }: { serverId: string; channel: ReadyChannel; onClose: () => void }) {
  const { data: overwrites = [], isPending } = useOverwrites(channel.id);
  const { data: roles = [] } = useRoles(serverId);
  const { data: members = [] } = useMembers(serverId);
  const save = useSetOverwriteMutation(channel.id);
  const [selected, setSelected] = useState<{ targetType: OverwriteTargetType; targetId: string }>({
    targetType: 'role',
    targetId: serverId,
  });
  const [draft, setDraft] = useState<Overwrite | null>(null);
  const [saved, setSaved] = useState(false);
  const addId = useId();

  const nameOf = (type: OverwriteTargetType, id: string) =>
    type === 'role'
      ? (roles.find((r) => r.id === id)?.name ?? 'Unknown role')
      : (() => {
          const m = members.find((x) => x.userId === id);
          return m ? displayName(m) : 'Unknown member';
        })();
  const stored = (type: OverwriteTargetType, id: string): Overwrite =>
    overwrites.find((o) => o.targetType === type && o.targetId === id) ?? { targetType: type, targetId: id, allow: '0', deny: '0' };
  const current = draft ?? stored(selected.targetType, selected.targetId);
  const targets = [
    { targetType: 'role' as const, targetId: serverId },
    ...overwrites.filter((o) => !(o.targetType === 'role' && o.targetId === serverId)),
    ...(overwrites.some((o) => o.targetType === selected.targetType && o.targetId === selected.targetId) || selected.targetId === serverId
      ? []
      : [selected]),
  ];
  const addable = [
    ...roles
      .filter((r) => !targets.some((t) => t.targetType === 'role' && t.targetId === r.id))
      .map((r) => ({ value: `role:${r.id}`, label: r.name })),
    ...members
      .filter((m) => !targets.some((t) => t.targetType === 'member' && t.targetId === m.userId))
      .map((m) => ({ value: `member:${m.userId}`, label: `${displayName(m)} (member)` })),
  ];
  const choose = (targetType: OverwriteTargetType, targetId: string) => {
    setSelected({ targetType, targetId });
    setDraft(null);
    setSaved(false);
    save.reset();
  };
  const submit = (o: Overwrite) =>
    save.mutate(o, {
      onSuccess: () => {
        setDraft(null);
        setSaved(true);
      },
    });
  const selectedName = nameOf(selected.targetType, selected.targetId);

  return (
    <Dialog title={`Permissions for #${channel.name}`} onClose={onClose} wide>
      <div className="flex max-h-[65vh] flex-col gap-4 sm:flex-row">
        <nav aria-label="Roles and members with overwrites" className="flex shrink-0 flex-col gap-1 sm:w-48">
          <ul className="flex flex-col gap-0.5">
            {targets.map((t) => (
              <li key={`${t.targetType}:${t.targetId}`}>
                <button
                  type="button"
                  aria-current={t.targetType === selected.targetType && t.targetId === selected.targetId ? 'true' : undefined}
                  onClick={() => choose(t.targetType, t.targetId)}
                  className="w-full truncate rounded-md px-2 py-1 text-left text-sm hover:bg-zinc-200 aria-[current]:bg-zinc-300 dark:hover:bg-zinc-700 dark:aria-[current]:bg-zinc-600"
                >
                  {t.targetType === 'member' ? '@' : ''}
                  {nameOf(t.targetType, t.targetId)}
                </button>
              </li>
            ))}
          </ul>
          <label htmlFor={addId} className="mt-2 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-300">
            Add a role or member
          </label>
          <select
            id={addId}
            value=""
            onChange={(e) => {
              const [type, id] = e.target.value.split(':') as [OverwriteTargetType, string];
              if (id) choose(type, id);
            }}
            className={input}
          >
            <option value="">Choose…</option>
            {addable.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </nav>
        <section aria-label={`Permissions of ${selectedName}`} className="min-w-0 flex-1 overflow-y-auto pr-1">
          <p className={`${muted} mb-1`}>
            For <strong>{selectedName}</strong> in #{channel.name}. Inherit keeps what their roles give; an allow or deny for a member wins
            over their roles’.
          </p>
          {isPending ? (
            <p className={muted}>Loading…</p>
          ) : (
            CHANNEL_PERMISSIONS.filter((p) => channel.type !== 'voice' || p.group !== 'Text').map((info) => (
              <PermissionRow
                key={info.label}
                info={info}
                value={settingOf(current, info.bit)}
                onChange={(setting) => {
                  setSaved(false);
                  setDraft(withSetting(current, info.bit, setting));
                }}
              />
            ))
          )}
        </section>
      </div>
      {save.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {permissionError(save.error)}
        </p>
      )}
      {saved && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          Saved
        </p>
      )}
      <div className="flex flex-wrap justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Close
        </Button>
        <Button
          variant="ghost"
          disabled={current.allow === '0' && current.deny === '0' && !draft}
          onClick={() => submit({ ...current, allow: '0', deny: '0' })}
        >
          Clear all
        </Button>
        <Button busy={save.isPending} disabled={!draft} onClick={() => draft && submit(draft)}>
          Save permissions
        </Button>
      </div>
    </Dialog>
  );
}
