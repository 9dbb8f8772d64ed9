import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../../../api/errors';
import { Button } from '../../../ui/Button';
import { ConfirmDialog, Dialog } from '../../../ui/Dialog';
import { TextField } from '../../../ui/Field';
import { displayName } from '../../users/displayName';
import { useLeaveServerMutation, useMembers } from '../queries';
import { useDeleteServerMutation, useTransferServerMutation } from './queries';

interface ServerRef {
  id: string;
  name: string;
}

const fieldError = (error: unknown, field: string) => (error instanceof ApiError ? error.fieldError(field) : undefined);

/**
 * Hands the server to another member, after the owner's password. With `thenLeave` (the owner's Leave) it leaves
 * right after, which is what an owner who wants out means.
 */
export function TransferDialog({
  server,
  myId,
  thenLeave = false,
  onClose,
}: {
  server: ServerRef;
  myId: string | undefined;
  thenLeave?: boolean;
  onClose: () => void;
}) {
  const { data: members = [] } = useMembers(server.id);
  const transfer = useTransferServerMutation(server.id);
  const leave = useLeaveServerMutation();
  const navigate = useNavigate();
  const [newOwnerId, setNewOwnerId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const others = members.filter((m) => m.userId !== myId);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    transfer.mutate(
      { newOwnerId, password },
      {
        onSuccess: () => {
          if (!thenLeave) return onClose();
          void leave.mutateAsync(server.id).then(() => navigate('/'), setError);
        },
        onError: setError,
      },
    );
  };
  return (
    <Dialog
      title={`Transfer ${server.name}`}
      onClose={onClose}
      description={`The new owner gets every right over ${server.name}, and you keep only the roles you have. This cannot be undone by you.`}
    >
      <form onSubmit={submit} className="flex flex-col gap-3">
        {others.length === 0 ? (
          <p className="text-sm">There is nobody else in this server yet: invite someone first, or delete the server.</p>
        ) : (
          <label className="flex flex-col gap-1.5 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-300">
            New owner
            <select
              required
              value={newOwnerId}
              onChange={(e) => setNewOwnerId(e.target.value)}
              className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm font-normal normal-case tracking-normal text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
            >
              <option value="">Choose a member…</option>
              {others.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {displayName(m)} (@{m.username})
                </option>
              ))}
            </select>
          </label>
        )}
        <TextField
          label="Your password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldError(error, 'password')}
        />
        {error !== null && !fieldError(error, 'password') && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {errorMessage(error)}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" busy={transfer.isPending || leave.isPending} disabled={others.length === 0}>
            {thenLeave ? 'Transfer and leave' : 'Transfer ownership'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Deletes the server for everyone once its name is typed, as the API asks too. */
export function DeleteServerDialog({ server, onClose }: { server: ServerRef; onClose: () => void }) {
  const remove = useDeleteServerMutation(server.id);
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    // The ServerDeleted event can come before the answer and unmount this dialog (the server leaves the list at once):
    // mutate()'s own callbacks then never run, while mutateAsync's promise still settles, so home is always reached.
    void remove.mutateAsync(typed).then(() => navigate('/'), setError);
  };
  return (
    <Dialog
      title={`Delete ${server.name}`}
      role="alertdialog"
      onClose={onClose}
      description="Every channel, message, role and invite of this server goes, for everyone. This cannot be undone."
    >
      <form onSubmit={submit} className="flex flex-col gap-3">
        <TextField
          label="Type the server's name to confirm"
          required
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          error={fieldError(error, 'confirmName')}
        />
        {error !== null && !fieldError(error, 'confirmName') && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {errorMessage(error)}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button type="submit" variant="danger" busy={remove.isPending} disabled={typed.trim() !== server.name}>
            Delete server
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Leaving: a member confirms; the owner, who cannot simply leave, is offered to hand the server over or delete it. */
export function LeaveServerDialog({
  server,
  isOwner,
  myId,
  onClose,
}: {
  server: ServerRef;
  isOwner: boolean;
  myId: string | undefined;
  onClose: () => void;
}) {
  const leave = useLeaveServerMutation();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [next, setNext] = useState<'transfer' | 'delete' | null>(null);
  if (next === 'transfer') return <TransferDialog server={server} myId={myId} thenLeave onClose={onClose} />;
  if (next === 'delete') return <DeleteServerDialog server={server} onClose={onClose} />;
  if (isOwner)
    return (
      <Dialog
        title={`Leave ${server.name}`}
        onClose={onClose}
        description="You own this server, so it needs a new owner before you go. Hand it to another member, or delete it."
      >
        <div className="flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button variant="danger" onClick={() => setNext('delete')}>
            Delete server
          </Button>
          <Button onClick={() => setNext('transfer')}>Transfer ownership</Button>
        </div>
      </Dialog>
    );
  return (
    <ConfirmDialog
      title={`Leave ${server.name}`}
      confirmLabel="Leave server"
      busy={leave.isPending}
      onClose={onClose}
      // As when deleting: ServerRemoved may unmount this dialog before the answer comes.
      onConfirm={() =>
        void leave.mutateAsync(server.id).then(
          () => navigate('/'),
          (e: unknown) => setError(errorMessage(e)),
        )
      }
    >
      <p>You will no longer see its channels. You can come back with an invite.</p>
      {error && (
        <p role="alert" className="mt-2 text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </ConfirmDialog>
  );
}
