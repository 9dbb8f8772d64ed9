import { useRef, useState, type KeyboardEvent } from 'react';
import { DmSidebar } from '../dms/DmSidebar';
import { Link, useNavigate } from 'react-router';
import { errorMessage } from '../../api/errors';
import type { Relationship } from '../../api/types';
import { Alert } from '../../ui/Alert';
import { Avatar } from '../../ui/Avatar';
import { Button, Spinner } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/Dialog';
import { PresenceDot } from '../../ui/PresenceDot';
import { usePageTitle } from '../../ui/usePageTitle';
import { useOpenDmMutation } from '../dms/queries';
import { usePresences } from '../gateway/context';
import { AddFriendForm } from './AddFriendForm';
import { useRelationships, useRemoveRelationshipMutation, useSetRelationshipMutation } from './queries';

const TABS = ['Online', 'All', 'Pending', 'Blocked'] as const;
type Tab = (typeof TABS)[number];

const EMPTY: Record<Tab, string> = {
  Online: 'None of your friends is online right now.',
  All: 'No friends yet. Add someone by their username above.',
  Pending: 'No friend requests waiting.',
  Blocked: 'You have not blocked anyone.',
};

const STATUS_WORDS: Record<string, string> = { online: 'Online', idle: 'Idle', dnd: 'Do not disturb', offline: 'Offline' };

/** Home's Friends view: add by username, and friends, requests and blocks in tabs, with presence. */
export default function FriendsPage() {
  usePageTitle('Friends');
  const [tab, setTab] = useState<Tab>('Online');
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const { data, error, isPending } = useRelationships();
  const presences = usePresences();
  const list = data ?? [];
  const statusOf = (r: Relationship) => presences[r.id] ?? r.status ?? 'offline';
  const shown = sortByName(
    list.filter((r) => {
      if (tab === 'Online') return r.type === 'friend' && statusOf(r) !== 'offline';
      if (tab === 'All') return r.type === 'friend';
      if (tab === 'Pending') return r.type === 'incoming' || r.type === 'outgoing';
      return r.type === 'blocked';
    }),
  );
  const pending = list.filter((r) => r.type === 'incoming').length;

  // Arrow keys move between tabs, as a tab list does.
  const onTabKey = (e: KeyboardEvent, index: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = (index + step + TABS.length) % TABS.length;
    setTab(TABS[next]!);
    tabRefs.current[next]?.focus();
  };

  return (
    <>
      <DmSidebar />
      <main id="main" tabIndex={-1} className="flex min-w-0 flex-1 flex-col focus:outline-none">
        <header className="flex h-12 items-center gap-4 border-b border-zinc-200 px-4 shadow-sm dark:border-black/30">
          <h1 className="font-semibold">Friends</h1>
          <div role="tablist" aria-label="Friends" className="flex gap-1 overflow-x-auto">
            {TABS.map((t, i) => (
              <button
                key={t}
                ref={(el) => {
                  tabRefs.current[i] = el;
                }}
                type="button"
                role="tab"
                id={`friends-tab-${t}`}
                aria-selected={tab === t}
                aria-controls="friends-panel"
                tabIndex={tab === t ? 0 : -1}
                onClick={() => setTab(t)}
                onKeyDown={(e) => onTabKey(e, i)}
                className={`whitespace-nowrap rounded-md px-2.5 py-1 text-sm font-medium ${
                  tab === t
                    ? 'bg-zinc-300/70 text-zinc-900 dark:bg-zinc-600/50 dark:text-white'
                    : 'text-zinc-700 hover:bg-zinc-300/40 dark:text-zinc-300 dark:hover:bg-zinc-700/40'
                }`}
              >
                {t}
                {t === 'Pending' && pending > 0 && (
                  <span className="ml-1.5 rounded-full bg-red-600 px-1.5 text-xs text-white">
                    {pending}
                    <span className="sr-only"> incoming</span>
                  </span>
                )}
              </button>
            ))}
          </div>
        </header>
        <div className="flex-1 overflow-y-auto p-4 md:p-6">
          <div className="mx-auto flex max-w-3xl flex-col gap-6">
            <AddFriendForm />
            <section id="friends-panel" role="tabpanel" aria-labelledby={`friends-tab-${tab}`}>
              <h2 className="pb-2 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
                {tab} — {shown.length}
              </h2>
              {isPending ? (
                <Spinner label="Loading friends…" />
              ) : error ? (
                <Alert>{errorMessage(error)}</Alert>
              ) : shown.length === 0 ? (
                <p className="text-sm text-zinc-600 dark:text-zinc-400">{EMPTY[tab]}</p>
              ) : (
                <ul className="divide-y divide-zinc-200 dark:divide-zinc-700/60">
                  {shown.map((r) => (
                    <FriendRow key={r.id} relationship={r} status={statusOf(r)} />
                  ))}
                </ul>
              )}
            </section>
          </div>
        </div>
      </main>
    </>
  );
}

function sortByName(list: Relationship[]) {
  return [...list].sort((a, b) => (a.user.displayName ?? a.user.username).localeCompare(b.user.displayName ?? b.user.username));
}

function FriendRow({ relationship: r, status }: { relationship: Relationship; status: string }) {
  const name = r.user.displayName || r.user.username;
  const navigate = useNavigate();
  const openDm = useOpenDmMutation();
  const set = useSetRelationshipMutation();
  const remove = useRemoveRelationshipMutation();
  const [confirming, setConfirming] = useState(false);
  const error = openDm.error ?? set.error ?? remove.error;
  const what =
    r.type === 'friend'
      ? (STATUS_WORDS[status] ?? 'Offline')
      : r.type === 'incoming'
        ? 'Incoming friend request'
        : r.type === 'outgoing'
          ? 'Outgoing friend request'
          : 'Blocked';
  return (
    <li className="flex flex-wrap items-center gap-3 py-2.5" data-testid="friend-row">
      {/* At least 14rem for the name: on a phone the buttons wrap below it rather than cut it to "Car…". */}
      <Link to={`/users/${r.id}`} className="flex min-w-0 grow basis-56 items-center gap-3 rounded-md hover:underline">
        <span className="relative">
          <Avatar id={r.id} name={name} url={r.user.avatarUrl} />
          {r.type === 'friend' && <PresenceDot status={status} />}
        </span>
        <span className="min-w-0 leading-tight">
          <span className="block truncate font-semibold">{name}</span>
          <span className="block truncate text-xs text-zinc-600 dark:text-zinc-400">
            @{r.user.username} · {what}
          </span>
        </span>
      </Link>
      <div className="flex gap-2">
        {r.type === 'friend' && (
          <>
            <Button
              variant="secondary"
              busy={openDm.isPending}
              aria-label={`Message ${name}`}
              onClick={() => openDm.mutate(r.id, { onSuccess: (dm) => navigate(`/channels/@me/${dm.id}`) })}
            >
              Message
            </Button>
            <Button variant="ghost" aria-label={`Remove ${name} as a friend`} onClick={() => setConfirming(true)}>
              Remove
            </Button>
          </>
        )}
        {r.type === 'incoming' && (
          <>
            <Button busy={set.isPending} aria-label={`Accept ${name}`} onClick={() => set.mutate({ userId: r.id, type: 'friend' })}>
              Accept
            </Button>
            <Button variant="secondary" disabled={remove.isPending} aria-label={`Decline ${name}`} onClick={() => remove.mutate(r.id)}>
              Decline
            </Button>
          </>
        )}
        {r.type === 'outgoing' && (
          <Button variant="secondary" busy={remove.isPending} aria-label={`Cancel request to ${name}`} onClick={() => remove.mutate(r.id)}>
            Cancel
          </Button>
        )}
        {r.type === 'blocked' && (
          <Button variant="secondary" busy={remove.isPending} aria-label={`Unblock ${name}`} onClick={() => remove.mutate(r.id)}>
            Unblock
          </Button>
        )}
      </div>
      {error && (
        <div className="basis-full">
          <Alert>{errorMessage(error)}</Alert>
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title={`Remove ${name} as a friend?`}
          confirmLabel="Remove friend"
          busy={remove.isPending}
          onClose={() => setConfirming(false)}
          onConfirm={() => remove.mutate(r.id, { onSettled: () => setConfirming(false) })}
        >
          You can send them a friend request again later.
        </ConfirmDialog>
      )}
    </li>
  );
}
