import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQueries } from '@tanstack/react-query';
import { errorMessage } from '../../api/errors';
import type { DmChannel } from '../../api/types';
import { Avatar } from '../../ui/Avatar';
import { Button } from '../../ui/Button';
import { ConfirmDialog, Dialog } from '../../ui/Dialog';
import { useRelationships } from '../friends/queries';
import { fetchAllMembers, memberKeys, useServers } from '../servers/queries';
import { displayName } from '../users/displayName';
import { PictureUpload } from '../media/PictureUpload';
import { useRemoveGroupIconMutation, useUploadGroupIconMutation } from '../media/queries';
import { useMe } from '../auth/queries';
import { dmTitle, useAddRecipientsMutation, useRemoveRecipientMutation, useUpdateGroupMutation } from './queries';

const input = 'rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-900';
const MAX_PEOPLE = 10;

interface Person {
  id: string;
  username: string;
  displayName: string | null;
  avatarUrl: string | null;
}

/** People I may add: my friends and the members of servers I am in, minus those already here. */
function useCandidates(exclude: ReadonlySet<string>, enabled: boolean): Person[] {
  const { data: relationships = [] } = useRelationships();
  const servers = useServers();
  const lists = useQueries({
    queries: servers.map((s) => ({
      queryKey: memberKeys.list(s.id),
      enabled,
      staleTime: Infinity,
      queryFn: () => fetchAllMembers(s.id),
    })),
  });
  const people = new Map<string, Person>();
  for (const r of relationships) if (r.type === 'friend') people.set(r.user.id, r.user);
  for (const list of lists)
    for (const m of list.data ?? [])
      people.set(m.userId, { id: m.userId, username: m.username, displayName: m.displayName, avatarUrl: m.avatarUrl });
  return [...people.values()].filter((p) => !exclude.has(p.id)).sort((a, b) => displayName(a).localeCompare(displayName(b)));
}

function AddPeopleDialog({ dm, onClose }: { dm: DmChannel; onClose: () => void }) {
  const here = new Set(dm.recipients.map((r) => r.id));
  const candidates = useCandidates(here, true);
  const [chosen, setChosen] = useState<string[]>([]);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = useAddRecipientsMutation(dm.id);
  const room = MAX_PEOPLE - dm.recipients.length;
  const shown = candidates.filter((p) => `${displayName(p)} ${p.username}`.toLowerCase().includes(filter.trim().toLowerCase()));
  return (
    <Dialog title="Add people" onClose={onClose} description={`Friends and people you share a server with. Room for ${room} more.`}>
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          add.mutate(chosen, { onSuccess: onClose, onError: (err) => setError(errorMessage(err)) });
        }}
      >
        <label className="flex flex-col text-xs font-bold uppercase">
          Find people
          <input value={filter} onChange={(e) => setFilter(e.target.value)} className={input} />
        </label>
        <fieldset className="flex max-h-60 flex-col gap-1 overflow-y-auto">
          <legend className="sr-only">People to add</legend>
          {shown.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">Nobody to add.</p>}
          {shown.map((p) => (
            <label key={p.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={chosen.includes(p.id)}
                disabled={!chosen.includes(p.id) && chosen.length >= room}
                onChange={(e) => setChosen(e.target.checked ? [...chosen, p.id] : chosen.filter((id) => id !== p.id))}
              />
              {displayName(p)}
            </label>
          ))}
        </fieldset>
        {error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" busy={add.isPending} disabled={chosen.length === 0}>
            Add
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function GroupSettingsDialog({ dm, onClose }: { dm: DmChannel; onClose: () => void }) {
  const { data: me } = useMe();
  const [name, setName] = useState(dm.name ?? '');
  const [error, setError] = useState<string | null>(null);
  const update = useUpdateGroupMutation(dm.id);
  const upload = useUploadGroupIconMutation(dm.id);
  const remove = useRemoveGroupIconMutation(dm.id);
  return (
    <Dialog title="Group settings" onClose={onClose}>
      <div className="mb-4">
        <PictureUpload
          label="Icon"
          round
          hasPicture={!!dm.iconUrl}
          preview={<Avatar id={dm.id} name={dmTitle(dm, me?.id)} url={dm.iconUrl} size="lg" />}
          actions={{ upload, remove }}
        />
      </div>
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          update.mutate({ name: name.trim() }, { onSuccess: onClose, onError: (err) => setError(errorMessage(err)) });
        }}
      >
        <label className="flex flex-col text-xs font-bold uppercase">
          Group name
          <input maxLength={100} value={name} onChange={(e) => setName(e.target.value)} className={input} />
        </label>
        {error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" busy={update.isPending}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * A group DM's people: who is in it, adding (owner), removing (owner), renaming, the icon, and leaving after asking.
 * Shown in a side panel or, on a phone, a dialog: `onNavigate` closes that when leaving goes home.
 */
export function GroupMembers({ dm, myId, onNavigate }: { dm: DmChannel; myId: string | undefined; onNavigate?: () => void }) {
  const [dialog, setDialog] = useState<'add' | 'settings' | 'leave' | { remove: Person } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const remove = useRemoveRecipientMutation(dm.id);
  const navigate = useNavigate();
  const owner = dm.ownerId === myId;
  const close = () => setDialog(null);
  const fail = (err: unknown) => {
    setDialog(null);
    setError(errorMessage(err));
  };
  return (
    <>
      <div className="flex flex-wrap gap-1 px-2 pb-2">
        {owner && (
          <Button variant="secondary" className="text-xs" onClick={() => setDialog('add')} disabled={dm.recipients.length >= MAX_PEOPLE}>
            Add people
          </Button>
        )}
        <Button variant="secondary" className="text-xs" onClick={() => setDialog('settings')}>
          Group settings
        </Button>
        <Button variant="danger" className="text-xs" onClick={() => setDialog('leave')}>
          Leave group
        </Button>
      </div>
      {error && (
        <p role="alert" className="px-2 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      <ul>
        {dm.recipients.map((r) => (
          <li key={r.id} data-testid="group-member" className="flex items-center gap-2 rounded-md px-2 py-1.5">
            <Avatar id={r.id} name={displayName(r)} url={r.avatarUrl} size="sm" />
            <span className="truncate text-sm font-medium">{displayName(r)}</span>
            {r.id === dm.ownerId && (
              <span title="Group owner" aria-label="group owner">
                👑
              </span>
            )}
            {owner && r.id !== myId && (
              <button
                type="button"
                className="ml-auto rounded bg-zinc-300 px-2 py-0.5 text-xs dark:bg-zinc-700"
                aria-label={`Remove ${displayName(r)}`}
                onClick={() => setDialog({ remove: r })}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {dialog === 'add' && <AddPeopleDialog dm={dm} onClose={close} />}
      {dialog === 'settings' && <GroupSettingsDialog dm={dm} onClose={close} />}
      {dialog === 'leave' && (
        <ConfirmDialog
          title="Leave this group?"
          confirmLabel="Leave group"
          busy={remove.isPending}
          onClose={close}
          onConfirm={() =>
            // Not mutate's onSuccess: the gateway often drops the group (unmounting this panel) before the response
            // arrives, and mutate's callbacks are skipped once unmounted, which left the page on a missing group.
            void remove.mutateAsync(myId!).then(() => {
              close();
              onNavigate?.();
              void navigate('/channels/@me');
            }, fail)
          }
        >
          You will stop getting its messages and can come back only if someone adds you again.
        </ConfirmDialog>
      )}
      {typeof dialog === 'object' && dialog !== null && (
        <ConfirmDialog
          title={`Remove ${displayName(dialog.remove)}?`}
          confirmLabel="Remove"
          busy={remove.isPending}
          onClose={close}
          onConfirm={() => remove.mutate(dialog.remove.id, { onSuccess: close, onError: fail })}
        >
          They will leave the group and stop getting its messages.
        </ConfirmDialog>
      )}
    </>
  );
}
