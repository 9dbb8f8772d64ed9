import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/errors';
import { Button } from '../../../ui/Button';
import { SelectField, TextAreaField, TextField } from '../../../ui/Field';
import { useServers } from '../queries';
import { ServerBannerUpload } from '../../media/BannerUpload';
import { ServerIconUpload } from '../../media/ServerIconUpload';
import { DeleteServerDialog, TransferDialog } from './ServerDialogs';
import { useServerInfo, useUpdateServerMutation } from './queries';
import { muted, section } from './styles';

function OverviewForm({
  serverId,
  initial,
  canEdit,
}: {
  serverId: string;
  initial: { name: string; description: string; systemChannelId: string };
  canEdit: boolean;
}) {
  // Join lines go to a text channel; one that was deleted shows as none.
  const textChannels = (useServers().find((s) => s.id === serverId)?.channels ?? []).filter((c) => c.type === 'text');
  const update = useUpdateServerMutation(serverId);
  const [form, setForm] = useState(initial);
  const [saved, setSaved] = useState(false);
  const apiError = update.error instanceof ApiError ? update.error : null;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(false);
    update.mutate(
      { name: form.name.trim(), description: form.description, systemChannelId: form.systemChannelId },
      { onSuccess: () => setSaved(true) },
    );
  };
  const set = (key: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => {
    setSaved(false);
    setForm({ ...form, [key]: e.target.value });
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-3">
      <TextField
        label="Server name"
        required
        maxLength={100}
        value={form.name}
        onChange={set('name')}
        disabled={!canEdit}
        error={apiError?.fieldError('name')}
      />
      <TextAreaField
        label="Description"
        maxLength={1024}
        rows={3}
        value={form.description}
        onChange={set('description')}
        disabled={!canEdit}
        error={apiError?.fieldError('description')}
      />
      <SelectField
        label="System channel"
        hint="Where KamaChat says when someone joins the server."
        value={textChannels.some((c) => c.id === form.systemChannelId) ? form.systemChannelId : ''}
        onChange={set('systemChannelId')}
        disabled={!canEdit}
        error={apiError?.fieldError('systemChannelId')}
      >
        <option value="">No join messages</option>
        {textChannels.map((c) => (
          <option key={c.id} value={c.id}>
            #{c.name}
          </option>
        ))}
      </SelectField>
      {update.error && !(apiError && Object.keys(apiError.fieldErrors).length > 0) && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {errorMessage(update.error)}
        </p>
      )}
      {canEdit && (
        <div className="flex items-center gap-3">
          <Button type="submit" busy={update.isPending}>
            Save changes
          </Button>
          {saved && (
            <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
              Saved
            </p>
          )}
        </div>
      )}
    </form>
  );
}

/** The server's name, description and icon; for the owner also handing it over and deleting it. */
export function OverviewSection({
  serverId,
  isOwner,
  canEdit,
  myId,
}: {
  serverId: string;
  isOwner: boolean;
  canEdit: boolean;
  myId: string | undefined;
}) {
  const { data: server, error } = useServerInfo(serverId);
  const [dialog, setDialog] = useState<'transfer' | 'delete' | null>(null);
  if (error)
    return (
      <p role="alert" className="text-sm text-red-700 dark:text-red-400">
        {errorMessage(error)}
      </p>
    );
  if (!server) return <p className={muted}>Loading…</p>;
  return (
    <div className="flex flex-col gap-4">
      <section aria-labelledby="overview-h" className={section}>
        <h2 id="overview-h" className="mb-3 font-semibold">
          Overview
        </h2>
        <OverviewForm
          key={server.id}
          serverId={serverId}
          canEdit={canEdit}
          initial={{ name: server.name, description: server.description ?? '', systemChannelId: server.systemChannelId ?? '' }}
        />
      </section>
      {canEdit && <ServerIconUpload server={server} />}
      {canEdit && <ServerBannerUpload server={server} />}
      {isOwner && (
        <section aria-labelledby="ownership-h" className={`${section} border border-red-300 dark:border-red-900`}>
          <h2 id="ownership-h" className="font-semibold">
            Ownership
          </h2>
          <p className={`${muted} mt-1`}>You own this server. Hand it to another member, or delete it for everyone.</p>
          <div className="mt-3 flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => setDialog('transfer')}>
              Transfer ownership
            </Button>
            <Button variant="danger" onClick={() => setDialog('delete')}>
              Delete server
            </Button>
          </div>
        </section>
      )}
      {dialog === 'transfer' && <TransferDialog server={server} myId={myId} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && <DeleteServerDialog server={server} onClose={() => setDialog(null)} />}
    </div>
  );
}
