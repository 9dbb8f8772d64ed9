import { useState } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage } from '../../api/errors';
import type { Member } from '../../api/types';
import { Avatar } from '../../ui/Avatar';
import { PresenceDot } from '../../ui/PresenceDot';
import { useOpenDmMutation } from '../dms/queries';
import { usePresences } from '../gateway/context';
import { useConnectionStale } from '../gateway/GatewayProvider';
import { displayName } from '../users/displayName';
import { ProfileCard } from '../users/ProfileCard';
import { has, P } from './permissions';
import { useBanMemberMutation, useKickMemberMutation } from './queries';

/** The server's members with presence; moderators can kick or ban from here. */
export function MemberList({
  serverId,
  members,
  ownerId,
  myId,
  permissions,
}: {
  serverId: string;
  members: Member[];
  ownerId: string;
  myId: string | undefined;
  permissions: string;
}) {
  const presences = usePresences();
  const stale = useConnectionStale();
  const openDm = useOpenDmMutation();
  const kick = useKickMemberMutation(serverId);
  const ban = useBanMemberMutation(serverId);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();
  const online = (m: Member) => (presences[m.userId] ?? 'offline') !== 'offline';
  const sorted = [...members].sort((a, b) => Number(online(b)) - Number(online(a)) || displayName(a).localeCompare(displayName(b)));
  const report = { onSuccess: () => setOpen(null), onError: (e: unknown) => setError(errorMessage(e)) };
  return (
    <aside aria-label="Members" className="hidden w-60 shrink-0 overflow-y-auto bg-side p-2 lg:block dark:bg-side-dark">
      <h2 className="px-2 pb-1 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Members — {members.length}</h2>
      {error && (
        <p role="alert" className="px-2 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      <ul>
        {sorted.map((m) => (
          <li key={m.userId} data-testid="member">
            <button
              type="button"
              aria-expanded={open === m.userId}
              onClick={() => setOpen(open === m.userId ? null : m.userId)}
              className={`flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left hover:bg-zinc-300/50 dark:hover:bg-zinc-700/40 ${online(m) ? '' : 'opacity-60'}`}
            >
              <span className="relative">
                <Avatar id={m.userId} name={displayName(m)} url={m.avatarUrl} size="sm" />
                <PresenceDot status={presences[m.userId]} stale={stale} />
              </span>
              <span className="truncate text-sm font-medium">{displayName(m)}</span>
              {m.userId === ownerId && (
                <span title="Owner" aria-label="owner">
                  👑
                </span>
              )}
            </button>
            {open === m.userId && (
              <ProfileCard userId={m.userId} onClose={() => setOpen(null)} className="my-1 w-full">
                {m.userId !== myId && (
                  <>
                    <button
                      type="button"
                      className="rounded bg-brand px-2 py-0.5 text-xs text-white"
                      onClick={() =>
                        openDm.mutate(m.userId, {
                          onSuccess: (dm) => navigate(`/channels/@me/${dm.id}`),
                          onError: (e) => setError(errorMessage(e)),
                        })
                      }
                    >
                      Message
                    </button>
                    {has(permissions, P.KICK_MEMBERS) && m.userId !== ownerId && (
                      <button
                        type="button"
                        className="rounded bg-zinc-300 px-2 py-0.5 text-xs dark:bg-zinc-700"
                        onClick={() => kick.mutate(m.userId, report)}
                      >
                        Kick
                      </button>
                    )}
                    {has(permissions, P.BAN_MEMBERS) && m.userId !== ownerId && (
                      <button
                        type="button"
                        className="rounded bg-red-700 px-2 py-0.5 text-xs text-white"
                        onClick={() => ban.mutate(m.userId, report)}
                      >
                        Ban
                      </button>
                    )}
                  </>
                )}
              </ProfileCard>
            )}
          </li>
        ))}
      </ul>
    </aside>
  );
}
