import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/errors';
import type { ReadyChannel } from '../../gateway/protocol';
import { Button } from '../../../ui/Button';
import { ConfirmDialog, Dialog } from '../../../ui/Dialog';
import { TextAreaField, TextField } from '../../../ui/Field';
import { useDeleteChannelMutation, useMembers, useRoles } from '../queries';
import { AccessPicker, NOBODY, type Access } from './AccessPicker';
import { accessOf, isPrivate, privacyChanges } from './privacy';
import { useChannel, useOverwrites, useSetOverwriteMutation, useUpdateChannelMutation } from './queries';
import { muted } from './styles';

export const SLOW_MODES: [number, string][] = [
  [0, 'Off'],
  [5, '5 seconds'],
  [10, '10 seconds'],
  [30, '30 seconds'],
  [60, '1 minute'],
  [300, '5 minutes'],
  [900, '15 minutes'],
  [3600, '1 hour'],
  [21600, '6 hours'],
];

/** Plain words for refusals the permission rules give, which otherwise read as jargon. */
export function permissionError(error: unknown): string {
  if (error instanceof ApiError && error.code === 'role_hierarchy')
    return 'You can only change permissions for roles and members below your highest role.';
  if (error instanceof ApiError && error.code === 'missing_permission')
    return `You can only allow or deny what you may do yourself in this channel. ${error.message}`;
  return errorMessage(error);
}

function EditForm({
  serverId,
  channel,
  initial,
  onClose,
}: {
  serverId: string;
  channel: ReadyChannel;
  initial: { name: string; topic: string; slowMode: number; userLimit: number; private: boolean; access: Access };
  onClose: () => void;
}) {
  const update = useUpdateChannelMutation();
  const setOverwrite = useSetOverwriteMutation(channel.id);
  const { data: overwrites = [] } = useOverwrites(channel.id);
  const { data: roles = [] } = useRoles(serverId);
  const { data: members = [] } = useMembers(serverId);
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const isText = channel.type === 'text';
  const isVoice = channel.type === 'voice';
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      if (
        form.name !== initial.name ||
        form.topic !== initial.topic ||
        form.slowMode !== initial.slowMode ||
        form.userLimit !== initial.userLimit
      )
        await update.mutateAsync({
          channelId: channel.id,
          name: form.name.trim(),
          ...(isText ? { topic: form.topic, slowModeSeconds: form.slowMode } : {}),
          ...(isVoice ? { userLimit: form.userLimit } : {}),
        });
      if (form.private || initial.private)
        for (const change of privacyChanges(overwrites, serverId, form.private, form.access)) await setOverwrite.mutateAsync(change);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const apiError = error instanceof ApiError ? error : null;
  return (
    <form onSubmit={(e) => void save(e)} className="flex flex-col gap-3">
      <TextField
        label="Name"
        required
        maxLength={100}
        value={form.name}
        onChange={(e) => setForm({ ...form, name: e.target.value })}
        error={apiError?.fieldError('name')}
      />
      {isText && (
        <>
          <TextAreaField
            label="Topic"
            maxLength={1024}
            rows={2}
            value={form.topic}
            onChange={(e) => setForm({ ...form, topic: e.target.value })}
            error={apiError?.fieldError('topic')}
          />
          <label className="flex flex-col gap-1.5 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-300">
            Slow mode
            <select
              value={form.slowMode}
              onChange={(e) => setForm({ ...form, slowMode: Number(e.target.value) })}
              className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm font-normal normal-case tracking-normal text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
            >
              {SLOW_MODES.map(([seconds, label]) => (
                <option key={seconds} value={seconds}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <p className={`${muted} -mt-2 text-xs`}>How long each member waits between messages (moderators do not).</p>
        </>
      )}
      {isVoice && (
        <TextField
          label="User limit"
          type="number"
          min={0}
          max={99}
          value={form.userLimit}
          onChange={(e) => setForm({ ...form, userLimit: Number(e.target.value) })}
          hint="0 means no limit. Members who may move others join a full channel anyway."
          error={apiError?.fieldError('userLimit')}
        />
      )}
      {channel.type !== 'category' && (
        <>
          <label className="flex items-center gap-2 text-sm font-medium">
            <input type="checkbox" checked={form.private} onChange={(e) => setForm({ ...form, private: e.target.checked })} />
            Private channel
          </label>
          {form.private && (
            <AccessPicker
              roles={roles}
              members={members}
              everyoneId={serverId}
              value={form.access}
              onChange={(access) => setForm({ ...form, access })}
            />
          )}
        </>
      )}
      {error !== null && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {permissionError(error)}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" busy={busy}>
          Save
        </Button>
      </div>
    </form>
  );
}

/** A channel's settings: name, topic and slow mode (text), user limit (voice), and whether it is private (and to whom). */
export function ChannelEditDialog({ serverId, channel, onClose }: { serverId: string; channel: ReadyChannel; onClose: () => void }) {
  const { data: full, error } = useChannel(channel.id);
  const { data: overwrites, error: overwritesError } = useOverwrites(channel.id);
  const loadError = error ?? overwritesError;
  return (
    <Dialog title={`Edit ${channel.name ?? 'channel'}`} onClose={onClose} wide>
      {loadError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {errorMessage(loadError)}
        </p>
      ) : !full || !overwrites ? (
        <p className={muted}>Loading…</p>
      ) : (
        <EditForm
          serverId={serverId}
          channel={channel}
          onClose={onClose}
          initial={{
            name: full.name ?? '',
            topic: full.topic ?? '',
            slowMode: full.slowModeSeconds,
            userLimit: full.userLimit,
            private: isPrivate(overwrites, serverId),
            access: isPrivate(overwrites, serverId) ? accessOf(overwrites, serverId) : NOBODY,
          }}
        />
      )}
    </Dialog>
  );
}

export function DeleteChannelDialog({ channel, onClose }: { channel: ReadyChannel; onClose: () => void }) {
  const remove = useDeleteChannelMutation();
  const [error, setError] = useState<string | null>(null);
  const isCategory = channel.type === 'category';
  return (
    <ConfirmDialog
      title={`Delete ${isCategory ? '' : '#'}${channel.name}`}
      confirmLabel={isCategory ? 'Delete category' : 'Delete channel'}
      busy={remove.isPending}
      onClose={onClose}
      onConfirm={() => remove.mutate(channel.id, { onSuccess: onClose, onError: (e) => setError(errorMessage(e)) })}
    >
      <p>
        {isCategory
          ? 'Its channels stay, outside any category.'
          : 'All of its messages, pins and files go with it, for everyone. This cannot be undone.'}
      </p>
      {error && (
        <p role="alert" className="mt-2 text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </ConfirmDialog>
  );
}
