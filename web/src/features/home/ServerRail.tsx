import { useState } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { errorMessage } from '../../api/errors';
import { GearIcon, PlusIcon } from '../../ui/icons';
import { serverInitials } from '../../ui/initials';
import { Avatar } from '../../ui/Avatar';
import { Logo } from '../../ui/Logo';
import { ServerIcon } from '../../ui/ServerIcon';
import { useMe } from '../auth/queries';
import { dmTitle, useDms } from '../dms/queries';
import { useConnectionStatus, useGateway, useReadStates } from '../gateway/context';
import { unreadOf } from '../messages/unread';
import { useCreateServerMutation, useServers } from '../servers/queries';

const pill = (active: boolean) =>
  `group relative flex size-12 shrink-0 items-center justify-center transition-all duration-150
   ${active ? 'rounded-2xl' : 'rounded-3xl hover:rounded-2xl'}`;

/** Takes an invite link or code and returns the code. */
export function inviteCode(input: string) {
  const trimmed = input.trim();
  const match = /\/invite\/([A-Za-z0-9_-]+)/.exec(trimmed);
  return match ? match[1]! : trimmed;
}

export function AddServerDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [invite, setInvite] = useState('');
  const navigate = useNavigate();
  const createServer = useCreateServerMutation();
  const create = (e: React.FormEvent) => {
    e.preventDefault();
    createServer.mutate(name.trim(), {
      onSuccess: (server) => {
        onClose();
        void navigate(`/servers/${server.id}`);
      },
    });
  };
  const join = (e: React.FormEvent) => {
    e.preventDefault();
    onClose();
    void navigate(`/invite/${encodeURIComponent(inviteCode(invite))}`);
  };
  return (
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions -- Escape closes a dialog (WAI-ARIA dialog pattern)
    <div
      role="dialog"
      aria-modal="true"
      aria-labelledby="add-server-title"
      className="fixed inset-0 z-40 flex items-center justify-center bg-black/50 p-4"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <div className="w-full max-w-sm rounded-lg bg-main p-5 shadow-xl dark:bg-main-dark">
        <h2 id="add-server-title" className="text-lg font-bold">
          Add a server
        </h2>
        <form onSubmit={create} className="mt-3 flex flex-col gap-2">
          <label htmlFor="new-server-name" className="text-xs font-bold uppercase text-zinc-600 dark:text-zinc-300">
            Server name
          </label>
          <input
            id="new-server-name"
            autoFocus
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
            className="rounded-md border px-3 py-2 dark:bg-zinc-900"
          />
          <button
            type="submit"
            disabled={createServer.isPending || !name.trim()}
            className="rounded-md bg-brand py-2 text-sm font-medium text-white disabled:opacity-60"
          >
            Create server
          </button>
        </form>
        <form onSubmit={join} className="mt-4 flex flex-col gap-2 border-t border-zinc-300 pt-4 dark:border-zinc-700">
          <label htmlFor="invite-input" className="text-xs font-bold uppercase text-zinc-600 dark:text-zinc-300">
            Invite link or code
          </label>
          <input
            id="invite-input"
            required
            value={invite}
            onChange={(e) => setInvite(e.target.value)}
            className="rounded-md border px-3 py-2 dark:bg-zinc-900"
          />
          <button
            type="submit"
            disabled={!invite.trim()}
            className="rounded-md bg-zinc-300 py-2 text-sm font-medium disabled:opacity-60 dark:bg-zinc-700"
          >
            Join with invite
          </button>
        </form>
        {createServer.isError && (
          <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
            {errorMessage(createServer.error)}
          </p>
        )}
        <button type="button" onClick={onClose} className="mt-3 w-full text-sm underline">
          Cancel
        </button>
      </div>
    </div>
  );
}

/** Unread DMs and group DMs under Home, latest first, each with its count, as Discord shows them from anywhere. */
function UnreadDms() {
  const { data: dms = [] } = useDms();
  const { data: me } = useMe();
  const readStates = useReadStates();
  const unread = dms.filter((d) => unreadOf(d.id, d.lastMessageId, readStates).unread).slice(0, MAX_UNREAD_DMS);
  return unread.map((dm) => {
    const title = dmTitle(dm, me?.id);
    const other = dm.recipients.find((r) => r.id !== me?.id) ?? dm.recipients[0];
    // Every unread DM message is addressed to me, so it counts like a mention (at least one).
    const count = Math.max(1, readStates[dm.id]?.mentionCount ?? 0);
    return (
      <NavLink
        key={dm.id}
        to={`/channels/@me/${dm.id}`}
        aria-label={`${title}, unread direct message`}
        title={title}
        className={({ isActive }) => pill(isActive)}
      >
        {dm.type === 'group_dm' && dm.iconUrl ? (
          <Avatar id={dm.id} name={title} url={dm.iconUrl} size="rail" />
        ) : dm.type === 'group_dm' || !other ? (
          <span
            aria-hidden="true"
            className="flex size-12 items-center justify-center rounded-[inherit] bg-brand text-sm font-semibold text-white"
          >
            {serverInitials(title)}
          </span>
        ) : (
          <Avatar id={other.id} name={title} url={other.avatarUrl} size="rail" />
        )}
        <span
          aria-hidden="true"
          className="absolute -bottom-0.5 -right-0.5 rounded-full border-2 border-rail bg-red-600 px-1 text-xs font-bold text-white dark:border-rail-dark"
        >
          {count}
        </span>
      </NavLink>
    );
  });
}

const MAX_UNREAD_DMS = 5;

/** The column of servers: home (DMs), unread DMs, each server with an unread mark, "+" to add one, settings. */
export function ServerRail() {
  const servers = useServers();
  const readStates = useReadStates();
  useConnectionStatus();
  const loading = !useGateway().ready;
  const [adding, setAdding] = useState(false);
  return (
    <nav aria-label="Servers" className="flex w-[72px] shrink-0 flex-col items-center gap-2 overflow-y-auto bg-rail py-3 dark:bg-rail-dark">
      <NavLink to="/" end aria-label="Home: direct messages" className={({ isActive }) => pill(isActive)}>
        {({ isActive }) => (
          <>
            <span
              aria-hidden="true"
              className={`absolute -left-3 w-1 rounded-r bg-zinc-900 transition-all dark:bg-white ${isActive ? 'h-10' : 'h-0 group-hover:h-5'}`}
            />
            <Logo className="size-12 rounded-[inherit]" />
          </>
        )}
      </NavLink>
      <UnreadDms />
      <div aria-hidden="true" className="h-0.5 w-8 shrink-0 rounded bg-zinc-300 dark:bg-zinc-700" />
      {loading && servers.length === 0 && (
        <div role="status" className="flex shrink-0 flex-col items-center gap-2">
          <span className="sr-only">Loading servers…</span>
          {[0, 1, 2].map((i) => (
            <span
              key={i}
              aria-hidden="true"
              className="size-12 animate-pulse rounded-3xl bg-zinc-300/70 motion-reduce:animate-none dark:bg-zinc-700/60"
            />
          ))}
        </div>
      )}
      {servers.map((s) => {
        const unread = s.channels.some((c) => c.type === 'text' && unreadOf(c.id, c.lastMessageId, readStates).unread);
        const mentions = s.channels.reduce((n, c) => n + (readStates[c.id]?.mentionCount ?? 0), 0);
        return (
          <NavLink
            key={s.id}
            to={`/servers/${s.id}`}
            aria-label={`${s.name}${mentions ? `, ${mentions} mentions` : unread ? ', unread' : ''}`}
            title={s.name}
            className={({ isActive }) =>
              `${pill(isActive)} ${isActive ? 'bg-brand text-white' : 'bg-main text-zinc-800 hover:bg-brand hover:text-white dark:bg-main-dark dark:text-zinc-100'}`
            }
          >
            {({ isActive }) => (
              <>
                <span
                  aria-hidden="true"
                  className={`absolute -left-3 w-1 rounded-r bg-zinc-900 transition-all dark:bg-white ${isActive ? 'h-10' : unread ? 'h-2' : 'h-0 group-hover:h-5'}`}
                />
                <ServerIcon name={s.name} url={s.iconUrl} className="size-full overflow-hidden rounded-[inherit] text-sm" />
                {mentions > 0 && (
                  <span
                    aria-hidden="true"
                    className="absolute -bottom-0.5 -right-0.5 rounded-full border-2 border-rail bg-red-600 px-1 text-xs font-bold text-white dark:border-rail-dark"
                  >
                    {mentions}
                  </span>
                )}
              </>
            )}
          </NavLink>
        );
      })}
      <button
        type="button"
        aria-label="Add a server"
        onClick={() => setAdding(true)}
        className="flex size-12 shrink-0 items-center justify-center rounded-3xl bg-main text-emerald-700 transition-all hover:rounded-2xl hover:bg-emerald-600 hover:text-white dark:bg-main-dark dark:text-emerald-400"
      >
        <PlusIcon className="size-6" />
      </button>
      {adding && <AddServerDialog onClose={() => setAdding(false)} />}
      <div className="mt-auto shrink-0">
        <NavLink
          to="/settings"
          aria-label="User settings"
          className={({ isActive }) =>
            `flex size-12 items-center justify-center rounded-3xl transition-all hover:rounded-2xl md:hidden ${isActive ? 'bg-brand text-white' : 'bg-main text-zinc-600 dark:bg-main-dark dark:text-zinc-300'}`
          }
        >
          <GearIcon className="size-6" />
        </NavLink>
      </div>
    </nav>
  );
}
