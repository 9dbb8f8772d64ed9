import { useState } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { errorMessage } from '../../api/errors';
import { Avatar } from '../../ui/Avatar';
import { ListSkeleton } from '../../ui/Skeleton';
import { useMe } from '../auth/queries';
import { useReadStates } from '../gateway/context';
import { unreadOf } from '../messages/unread';
import { dmTitle, useCreateGroupDmMutation, useDms } from './queries';

/** Direct messages, latest first, with unread marks; and a form to start a group DM. */
export function DmList() {
  const { data: dms = [], isPending } = useDms();
  const { data: me } = useMe();
  const readStates = useReadStates();
  const createGroup = useCreateGroupDmMutation();
  const [grouping, setGrouping] = useState(false);
  const [picked, setPicked] = useState<string[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();
  const people = new Map<string, string>();
  for (const dm of dms) for (const r of dm.recipients) if (r.id !== me?.id) people.set(r.id, r.displayName || r.username);

  const create = () => {
    createGroup.mutate(
      { userIds: picked, name: name.trim() || null },
      {
        onSuccess: (dm) => {
          setGrouping(false);
          setPicked([]);
          setName('');
          void navigate(`/channels/@me/${dm.id}`);
        },
        onError: (e) => setError(errorMessage(e)),
      },
    );
  };

  return (
    <>
      <div className="mt-2 flex items-center justify-between px-2">
        <h2 className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Direct messages</h2>
        <button
          type="button"
          aria-label="Create a group DM"
          aria-expanded={grouping}
          onClick={() => setGrouping((v) => !v)}
          className="rounded px-1 text-lg leading-none text-zinc-700 dark:text-zinc-300"
        >
          +
        </button>
      </div>
      {grouping && (
        <div className="m-1 rounded-md bg-zinc-200 p-2 text-sm dark:bg-zinc-800">
          {people.size === 0 ? (
            <p>Message someone first; then you can add them to a group.</p>
          ) : (
            <fieldset>
              <legend className="mb-1 font-semibold">Add people</legend>
              {[...people].map(([id, n]) => (
                <label key={id} className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    checked={picked.includes(id)}
                    onChange={(e) => setPicked(e.target.checked ? [...picked, id] : picked.filter((x) => x !== id))}
                  />{' '}
                  {n}
                </label>
              ))}
            </fieldset>
          )}
          <label className="mt-1 block">
            Group name{' '}
            <input value={name} onChange={(e) => setName(e.target.value)} className="w-full rounded border px-1 dark:bg-zinc-900" />
          </label>
          {error && (
            <p role="alert" className="text-red-700 dark:text-red-400">
              {error}
            </p>
          )}
          <button
            type="button"
            disabled={!picked.length}
            onClick={create}
            className="mt-1 rounded bg-brand px-2 py-1 text-white disabled:opacity-50"
          >
            Create group
          </button>
        </div>
      )}
      {isPending && <ListSkeleton rows={4} label="Loading conversations…" />}
      {!isPending && dms.length === 0 && <p className="mt-2 px-2 text-sm text-zinc-600 dark:text-zinc-400">No conversations yet.</p>}
      <nav aria-label="Direct message list">
        {dms.map((dm) => {
          const title = dmTitle(dm, me?.id);
          const other = dm.recipients.find((r) => r.id !== me?.id) ?? dm.recipients[0];
          const { unread, mentions } = unreadOf(dm.id, dm.lastMessageId, readStates);
          return (
            <NavLink
              key={dm.id}
              to={`/channels/@me/${dm.id}`}
              aria-label={`${title}${unread ? ', unread' : ''}`}
              className={({ isActive }) =>
                `mt-0.5 flex items-center gap-2 rounded-md px-2 py-1.5 text-sm ${isActive ? 'bg-zinc-300/70 dark:bg-zinc-700/60' : 'hover:bg-zinc-300/40 dark:hover:bg-zinc-700/30'} ${unread ? 'font-semibold' : ''}`
              }
            >
              <Avatar
                id={dm.type === 'dm' && other ? other.id : dm.id}
                name={title}
                url={dm.type === 'dm' ? other?.avatarUrl : dm.iconUrl}
                size="sm"
              />
              <span className="min-w-0 flex-1 truncate">{title}</span>
              {mentions > 0 && (
                <span aria-hidden="true" className="rounded-full bg-red-600 px-1.5 text-xs font-bold text-white">
                  {mentions}
                </span>
              )}
            </NavLink>
          );
        })}
      </nav>
    </>
  );
}
