import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage } from '../../api/errors';
import { Dialog } from '../../ui/Dialog';
import { useMe } from '../auth/queries';
import { dmTitle, useDms, useOpenDmMutation } from '../dms/queries';
import { useRelationships } from '../friends/queries';
import { useReadStates } from '../gateway/context';
import { useServers } from '../servers/queries';
import { displayName } from '../users/displayName';
import { destinations, searchDestinations, type Destination } from './destinations';

const KIND_LABEL: Record<Destination['kind'], string> = { server: 'Server', channel: 'Channel', dm: 'Direct message', person: 'Person' };

function useAllDestinations(): Destination[] {
  const servers = useServers();
  const { data: dms = [] } = useDms();
  const { data: relationships = [] } = useRelationships();
  const { data: me } = useMe();
  const readStates = useReadStates();
  return useMemo(() => {
    const dmWith = new Map<string, string>();
    for (const dm of dms) {
      const others = dm.recipients.filter((r) => r.id !== me?.id);
      if (dm.type === 'dm' && others.length === 1) dmWith.set(others[0]!.id, dm.id);
    }
    const people = new Map<string, { id: string; username: string; name: string; dmId?: string }>();
    for (const r of relationships) {
      if (r.type === 'friend') people.set(r.id, { id: r.id, username: r.user.username, name: displayName(r.user), dmId: dmWith.get(r.id) });
    }
    return destinations(
      servers,
      dms.map((dm) => ({ id: dm.id, lastMessageId: dm.lastMessageId, title: dmTitle(dm, me?.id) })),
      [...people.values()],
      readStates,
    );
  }, [servers, dms, relationships, me, readStates]);
}

/** Ctrl/Cmd+K: type part of a name, pick with the arrows and Enter, and go there (as Discord's quick switcher). */
export default function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const all = useAllDestinations();
  const [typed, setTyped] = useState('');
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const results = searchDestinations(all, typed);
  // The highlighted option, kept inside the list as it shrinks while typing.
  const current = Math.min(active, results.length - 1);
  const navigate = useNavigate();
  const openDm = useOpenDmMutation();
  const listId = useId();
  const optionId = (i: number) => `${listId}-${i}`;

  const go = (d: Destination) => {
    if (d.path) {
      onClose();
      void navigate(d.path);
      return;
    }
    openDm.mutate(d.id, {
      onSuccess: (dm) => {
        onClose();
        void navigate(`/channels/@me/${dm.id}`);
      },
      onError: (e) => setError(errorMessage(e)),
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (results.length) setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : -1) + results.length) % results.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const chosen = results[current];
      if (chosen) go(chosen);
    }
  };

  return (
    <Dialog title="Find or start a conversation" onClose={onClose}>
      <input
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={results.length ? optionId(current) : undefined}
        aria-autocomplete="list"
        aria-label="Where would you like to go?"
        placeholder="Where would you like to go?"
        value={typed}
        onChange={(e) => {
          setTyped(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        className="w-full rounded-md border border-zinc-300 bg-zinc-100 px-3 py-2 text-base dark:border-zinc-700 dark:bg-zinc-900"
      />
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        Start with <kbd>#</kbd> for channels, <kbd>@</kbd> for people, <kbd>*</kbd> for servers.
      </p>
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      <ul id={listId} role="listbox" aria-label="Destinations" className="max-h-80 overflow-y-auto">
        {results.map((d, i) => (
          // The input keeps the focus and the keys (the combobox pattern); a click picks too.
          // eslint-disable-next-line jsx-a11y/click-events-have-key-events
          <li
            key={`${d.kind}:${d.id}`}
            id={optionId(i)}
            role="option"
            aria-selected={i === current}
            onClick={() => go(d)}
            onMouseMove={() => setActive(i)}
            className={`flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 ${i === current ? 'bg-zinc-200 dark:bg-zinc-700' : ''}`}
          >
            <span aria-hidden="true" className="w-4 text-center text-zinc-500">
              {d.kind === 'channel' ? '#' : d.kind === 'server' ? '★' : '@'}
            </span>
            <span className={`min-w-0 flex-1 truncate ${d.unread ? 'font-semibold' : ''}`}>{d.label}</span>
            {d.mentions > 0 && (
              <span className="rounded-full bg-red-700 px-1.5 text-xs font-bold text-white">
                {d.mentions}
                <span className="sr-only"> mentions</span>
              </span>
            )}
            <span className="text-xs text-zinc-600 dark:text-zinc-300">{d.detail ?? KIND_LABEL[d.kind]}</span>
          </li>
        ))}
        {results.length === 0 && <li className="px-2 py-1.5 text-sm text-zinc-600 dark:text-zinc-400">Nothing by that name.</li>}
      </ul>
    </Dialog>
  );
}
