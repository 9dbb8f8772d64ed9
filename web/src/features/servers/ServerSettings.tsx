import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { onServer } from '../../api/config';
import { errorMessage } from '../../api/errors';
import { usePageTitle } from '../../ui/usePageTitle';
import { useMe } from '../auth/queries';
import { ServerIconUpload } from '../media/ServerIconUpload';
import type { ReadyChannel } from '../gateway/protocol';
import { AuditLogSection } from './AuditLogSection';
import { has, P, serverPermissions } from './permissions';
import { RolesSection } from './roles/RolesSection';
import {
  useCreateChannelMutation,
  useCreateInviteMutation,
  useDeleteChannelMutation,
  useRenameChannelMutation,
  useServers,
} from './queries';

const section = 'rounded-lg bg-side p-4 dark:bg-side-dark';
const input = 'rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-900';
const button = 'rounded-md bg-brand px-3 py-1 text-sm font-medium text-white hover:bg-brand-strong disabled:opacity-60';

function Invites({ serverId }: { serverId: string }) {
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const createInvite = useCreateInviteMutation(serverId);
  const create = () =>
    createInvite.mutate(undefined, {
      onSuccess: (invite) => {
        setLink(onServer(`/invite/${invite.code}`));
        setCopied(false);
      },
      onError: (e) => setError(errorMessage(e)),
    });
  const copy = () =>
    link &&
    navigator.clipboard?.writeText(link).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <section aria-labelledby="invites-h" className={section}>
      <h2 id="invites-h" className="font-semibold">
        Invite people
      </h2>
      <button type="button" className={`${button} mt-2`} onClick={create}>
        Create invite link
      </button>
      {link && (
        <div className="mt-2 flex gap-2">
          <input aria-label="Invite link" readOnly value={link} className={`${input} flex-1`} onFocus={(e) => e.target.select()} />
          <button type="button" className={button} onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="mt-1 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </section>
  );
}

function Channels({ serverId, channels }: { serverId: string; channels: ReadyChannel[] }) {
  const [name, setName] = useState('');
  const [type, setType] = useState('text');
  const [error, setError] = useState<string | null>(null);
  const createChannel = useCreateChannelMutation(serverId);
  const renameChannel = useRenameChannelMutation();
  const deleteChannel = useDeleteChannelMutation();
  const report = { onSuccess: () => setError(null), onError: (e: unknown) => setError(errorMessage(e)) };
  const create = (e: React.FormEvent) => {
    e.preventDefault();
    createChannel.mutate(
      { name: name.trim(), type },
      {
        ...report,
        onSuccess: () => {
          setName('');
          setError(null);
        },
      },
    );
  };
  const rename = (c: ReadyChannel) => {
    const next = window.prompt('New channel name', c.name ?? '');
    if (next?.trim()) renameChannel.mutate({ channelId: c.id, name: next.trim() }, report);
  };
  const remove = (c: ReadyChannel) => {
    if (window.confirm(`Delete #${c.name} and all its messages?`)) deleteChannel.mutate(c.id, report);
  };
  return (
    <section aria-labelledby="channels-h" className={section}>
      <h2 id="channels-h" className="font-semibold">
        Channels
      </h2>
      <ul className="mt-2 flex flex-col gap-1">
        {[...channels]
          .sort((a, b) => a.position - b.position)
          .map((c) => (
            <li key={c.id} className="flex items-center gap-2 text-sm">
              <span className="flex-1">
                {c.type === 'category' ? '▸ ' : c.type === 'voice' ? '🔊 ' : '# '}
                {c.name}
              </span>
              <button type="button" className="underline" aria-label={`Rename ${c.name}`} onClick={() => rename(c)}>
                Rename
              </button>
              <button
                type="button"
                className="text-red-700 underline dark:text-red-400"
                aria-label={`Delete ${c.name}`}
                onClick={() => remove(c)}
              >
                Delete
              </button>
            </li>
          ))}
      </ul>
      <form onSubmit={create} className="mt-3 flex flex-wrap items-end gap-2">
        <label className="flex flex-col text-xs font-bold uppercase">
          Channel name
          <input
            aria-label="Channel name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
            className={input}
          />
        </label>
        <label className="flex flex-col text-xs font-bold uppercase">
          Type
          <select aria-label="Channel type" value={type} onChange={(e) => setType(e.target.value)} className={input}>
            <option value="text">Text</option>
            <option value="voice">Voice</option>
            <option value="category">Category</option>
          </select>
        </label>
        <button type="submit" className={button}>
          Create channel
        </button>
      </form>
      {error && (
        <p role="alert" className="mt-1 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </section>
  );
}

/** Server settings: invites for anyone allowed, channels and roles for managers. */
export default function ServerSettings() {
  const { serverId = '' } = useParams();
  const server = useServers().find((s) => s.id === serverId);
  const { data: me } = useMe();
  usePageTitle(server ? `${server.name} settings` : 'Server settings');
  if (!server)
    return (
      <main id="main" className="flex-1 p-8">
        Server not found.
      </main>
    );
  const perms = serverPermissions(server, me?.id);
  return (
    <main id="main" tabIndex={-1} className="min-w-0 flex-1 overflow-y-auto p-6 focus:outline-none">
      <div className="mx-auto flex max-w-2xl flex-col gap-4">
        <div className="flex items-center justify-between">
          <h1 className="text-2xl font-bold">{server.name} — settings</h1>
          <Link to={`/servers/${serverId}`} className="text-sm underline">
            Back to chat
          </Link>
        </div>
        {has(perms, P.MANAGE_SERVER) && <ServerIconUpload server={server} />}
        {has(perms, P.CREATE_INVITE) && <Invites serverId={serverId} />}
        {has(perms, P.MANAGE_CHANNELS) && <Channels serverId={serverId} channels={server.channels} />}
        {has(perms, P.MANAGE_ROLES) && <RolesSection serverId={serverId} />}
        {has(perms, P.VIEW_AUDIT_LOG) && <AuditLogSection serverId={serverId} className={section} />}
      </div>
    </main>
  );
}
