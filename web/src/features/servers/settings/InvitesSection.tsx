import { useState } from 'react';
import { onServer } from '../../../api/config';
import { errorMessage } from '../../../api/errors';
import type { Invite } from '../../../api/types';
import { ConfirmDialog } from '../../../ui/Dialog';
import { displayName } from '../../users/displayName';
import { useCreateInviteMutation, useMembers } from '../queries';
import { useInvites, useRevokeInviteMutation } from './queries';
import { button, dangerLink, input, muted, section } from './styles';

function CreateInvite({ serverId }: { serverId: string }) {
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
    <div>
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
    </div>
  );
}

function expiry(invite: Invite, now: number) {
  if (!invite.expiresAt) return 'never expires';
  const at = new Date(invite.expiresAt);
  return at.getTime() <= now ? 'expired' : `expires ${at.toLocaleString()}`;
}

/** Making an invite link; with Manage server also every live invite (uses, expiry, creator) and revoking one. */
export function InvitesSection({ serverId, canManage }: { serverId: string; canManage: boolean }) {
  const { data: invites = [], isPending, error } = useInvites(serverId, canManage);
  const { data: members = [] } = useMembers(serverId);
  const revoke = useRevokeInviteMutation(serverId);
  const [revoking, setRevoking] = useState<string | null>(null);
  // When the list was fetched: what had expired then reads as expired.
  const [now] = useState(() => Date.now());
  const creator = (id: string) => {
    const m = members.find((x) => x.userId === id);
    return m ? displayName(m) : 'a former member';
  };
  return (
    <section aria-labelledby="invites-h" className={section}>
      <h2 id="invites-h" className="font-semibold">
        Invites
      </h2>
      <CreateInvite serverId={serverId} />
      {canManage && (
        <>
          {error && (
            <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
              {errorMessage(error)}
            </p>
          )}
          {isPending ? (
            <p className={`${muted} mt-2`}>Loading…</p>
          ) : invites.length === 0 ? (
            <p className={`${muted} mt-3`}>No active invites.</p>
          ) : (
            <ul aria-label="Active invites" className="mt-3 flex flex-col gap-1">
              {invites.map((i) => (
                <li key={i.code} className="flex flex-wrap items-center gap-2 rounded-md bg-white/60 px-2 py-1 text-sm dark:bg-zinc-900/40">
                  <code className="font-medium">{i.code}</code>
                  <span className={`${muted} flex-1`}>
                    by {creator(i.creatorId)} · {i.uses}
                    {i.maxUses ? ` of ${i.maxUses}` : ''} use{i.uses === 1 && !i.maxUses ? '' : 's'} · {expiry(i, now)}
                    {i.temporary ? ' · temporary membership' : ''}
                  </span>
                  <button type="button" className={dangerLink} aria-label={`Revoke invite ${i.code}`} onClick={() => setRevoking(i.code)}>
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {revoking && (
        <ConfirmDialog
          title="Revoke invite"
          confirmLabel="Revoke"
          busy={revoke.isPending}
          onClose={() => setRevoking(null)}
          onConfirm={() => revoke.mutate(revoking, { onSuccess: () => setRevoking(null) })}
        >
          <p>The link {revoking} will stop working. People who joined with it stay.</p>
          {revoke.error && (
            <p role="alert" className="mt-2 text-red-700 dark:text-red-400">
              {errorMessage(revoke.error)}
            </p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
