import { useState, useSyncExternalStore } from 'react';
import { errorMessage } from '../../api/errors';
import type { Me } from '../../api/types';
import { Alert } from '../../ui/Alert';
import { Avatar } from '../../ui/Avatar';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { useMenu } from '../../ui/Menu';
import { TextField } from '../../ui/Field';
import { PresenceDot } from '../../ui/PresenceDot';
import { useGateway } from '../gateway/context';
import type { ChosenStatus } from '../gateway/connection';
import { useUpdateProfileMutation } from '../users/queries';

/** What each status means, in the words Discord users know. */
const STATUSES: { status: ChosenStatus; label: string; detail?: string }[] = [
  { status: 'online', label: 'Online' },
  { status: 'idle', label: 'Idle' },
  { status: 'dnd', label: 'Do Not Disturb', detail: 'You will not receive desktop notifications' },
  { status: 'invisible', label: 'Invisible', detail: 'You will appear offline, but have full access to KamaChat' },
];

const CUSTOM_STATUS_MAX = 128;

/** The status I show myself: what I chose, except that "online" shows idle while I am away, as others see it. */
export function useOwnStatus(): ChosenStatus {
  const gateway = useGateway();
  const chosen = useSyncExternalStore(gateway.subscribe, gateway.getChosenStatus);
  const away = useSyncExternalStore(gateway.subscribe, gateway.getAway);
  return chosen === 'online' && away ? 'idle' : chosen;
}

/** The user panel's avatar: opens a menu to choose a status or set a custom one. */
export function StatusMenu({ me }: { me: Me }) {
  const gateway = useGateway();
  const chosen = useSyncExternalStore(gateway.subscribe, gateway.getChosenStatus);
  const shown = useOwnStatus();
  const { open, close, buttonProps, menuProps } = useMenu();
  const [editing, setEditing] = useState(false);
  const name = me.displayName || me.username;
  const label = STATUSES.find((s) => s.status === shown)?.label ?? 'Online';

  const choose = (status: ChosenStatus) => {
    close();
    void gateway.setPresence(status);
  };

  return (
    <div className="relative">
      <button
        {...buttonProps}
        aria-label={`Set status (now ${label})`}
        className="relative rounded-full p-0.5 hover:bg-zinc-300/60 dark:hover:bg-zinc-700/50"
      >
        <Avatar id={me.id} name={name} url={me.avatarUrl} size="sm" />
        <PresenceDot status={shown === 'invisible' ? 'offline' : shown} />
      </button>
      {open && (
        <div
          {...menuProps}
          aria-label="Status"
          className="absolute bottom-12 left-0 z-40 w-64 rounded-lg bg-white p-1.5 text-sm shadow-xl ring-1 ring-black/10 dark:bg-zinc-900 dark:ring-white/10"
        >
          {STATUSES.map(({ status, label, detail }) => (
            <button
              key={status}
              type="button"
              role="menuitemradio"
              aria-checked={chosen === status}
              tabIndex={-1}
              onClick={() => choose(status)}
              className="flex w-full items-start gap-2 rounded-md px-2 py-1.5 text-left hover:bg-brand hover:text-white focus:bg-brand focus:text-white focus:outline-none"
            >
              <span className="relative mt-0.5 size-3.5 shrink-0" aria-hidden="true">
                <PresenceDot status={status === 'invisible' ? 'offline' : status} />
              </span>
              <span>
                <span className="block font-medium">{label}</span>
                {detail && <span className="block text-xs opacity-80">{detail}</span>}
              </span>
            </button>
          ))}
          <div role="separator" className="my-1 border-t border-zinc-200 dark:border-zinc-700" />
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            onClick={() => {
              close();
              setEditing(true);
            }}
            className="w-full rounded-md px-2 py-1.5 text-left font-medium hover:bg-brand hover:text-white focus:bg-brand focus:text-white focus:outline-none"
          >
            {me.statusText ? 'Edit custom status' : 'Set a custom status'}
          </button>
        </div>
      )}
      {editing && <CustomStatusDialog current={me.statusText ?? ''} onClose={() => setEditing(false)} />}
    </div>
  );
}

function CustomStatusDialog({ current, onClose }: { current: string; onClose: () => void }) {
  const [text, setText] = useState(current);
  const update = useUpdateProfileMutation();
  // For the API an empty string clears a field and null leaves it as it is.
  const save = (statusText: string) => update.mutate({ displayName: null, bio: null, avatarUrl: null, statusText }, { onSuccess: onClose });
  return (
    <Dialog title="Set a custom status" onClose={onClose}>
      <form
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          save(text.trim());
        }}
      >
        <TextField
          label="What's happening?"
          value={text}
          maxLength={CUSTOM_STATUS_MAX}
          placeholder="Support has arrived!"
          hint={`${text.length}/${CUSTOM_STATUS_MAX}`}
          onChange={(e) => setText(e.target.value)}
        />
        {update.isError && <Alert>{errorMessage(update.error)}</Alert>}
        <div className="flex justify-end gap-2">
          {current && (
            <Button variant="ghost" className="mr-auto" onClick={() => save('')} disabled={update.isPending}>
              Clear status
            </Button>
          )}
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
