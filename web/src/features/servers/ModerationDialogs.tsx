import { useId, useState, type ReactNode } from 'react';
import { errorMessage } from '../../api/errors';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { TextAreaField } from '../../ui/Field';
import { DELETE_HISTORY, REASON_MAX_LENGTH, TIMEOUT_DURATIONS, timeoutEnd } from './moderation';
import { useBanMemberMutation, useKickMemberMutation, useTimeoutMemberMutation } from './queries';

export type ModerationAction = 'kick' | 'ban' | 'timeout';

/** Kick, ban or time out one member: what happens, an optional reason (kept in the audit log), and a confirmation. */
export function ModerationDialog({
  action,
  serverId,
  serverName,
  userId,
  name,
  onClose,
}: {
  action: ModerationAction;
  serverId: string;
  serverName: string;
  userId: string;
  name: string;
  onClose: () => void;
}) {
  const kick = useKickMemberMutation(serverId);
  const ban = useBanMemberMutation(serverId);
  const timeout = useTimeoutMemberMutation(serverId);
  const [reason, setReason] = useState('');
  const [seconds, setSeconds] = useState(action === 'timeout' ? TIMEOUT_DURATIONS[0]!.seconds : 0);
  const [error, setError] = useState<string | null>(null);
  const choiceName = useId();
  const report = { onSuccess: onClose, onError: (e: unknown) => setError(errorMessage(e)) };
  const busy = kick.isPending || ban.isPending || timeout.isPending;

  const confirm = () => {
    setError(null);
    if (action === 'kick') kick.mutate({ userId, reason }, report);
    else if (action === 'ban') ban.mutate({ userId, reason, deleteMessageSeconds: seconds }, report);
    else timeout.mutate({ userId, reason, until: timeoutEnd(Date.now(), seconds) }, report);
  };

  const copy: Record<
    ModerationAction,
    { title: string; body: ReactNode; confirm: string; choices?: typeof TIMEOUT_DURATIONS; legend?: string }
  > = {
    kick: {
      title: `Kick ${name}`,
      body: `${name} will be removed from ${serverName}. They can join again with an invite.`,
      confirm: 'Kick',
    },
    ban: {
      title: `Ban ${name}`,
      body: `${name} will be removed from ${serverName} and cannot join again until unbanned.`,
      confirm: 'Ban',
      choices: DELETE_HISTORY,
      legend: 'Delete their messages',
    },
    timeout: {
      title: `Time out ${name}`,
      body: `${name} will be able to read but not send messages or react until the timeout ends.`,
      confirm: 'Time out',
      choices: TIMEOUT_DURATIONS,
      legend: 'Duration',
    },
  };
  const { title, body, confirm: confirmLabel, choices, legend } = copy[action];

  return (
    <Dialog title={title} onClose={onClose} role={action === 'timeout' ? 'dialog' : 'alertdialog'} description={body}>
      {choices && (
        <fieldset className="flex flex-col gap-1">
          <legend className="mb-1 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-300">{legend}</legend>
          {choices.map((choice) => (
            <label key={choice.seconds} className="flex items-center gap-2 text-sm">
              <input type="radio" name={choiceName} checked={seconds === choice.seconds} onChange={() => setSeconds(choice.seconds)} />
              {choice.label}
            </label>
          ))}
        </fieldset>
      )}
      <TextAreaField
        label="Reason (optional)"
        hint={action === 'timeout' ? 'Kept in the audit log.' : 'Kept in the audit log and shown to them.'}
        maxLength={REASON_MAX_LENGTH}
        rows={2}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose} data-autofocus>
          Cancel
        </Button>
        <Button variant="danger" busy={busy} onClick={confirm}>
          {confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
