import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, idParam, unwrap } from '../../api/client';
import { errorMessage } from '../../api/errors';
import type { Member } from '../../api/types';
import { Avatar } from '../../ui/Avatar';
import { keys, type Presences } from '../gateway/cache';
import { useCached } from '../gateway/GatewayProvider';
import { displayName, has, P } from './api';
import { openDm } from './dm';
import { ProfileCard } from '../users/ProfileCard';

const DOT: Record<string, string> = { online: 'bg-emerald-500', idle: 'bg-amber-400', dnd: 'bg-red-500' };

export function PresenceDot({ status }: { status: string | undefined }) {
  const s = status && DOT[status] ? status : 'offline';
  return <span role="img" aria-label={s} className={`absolute -bottom-0.5 -right-0.5 size-3.5 rounded-full border-2 border-side dark:border-side-dark ${DOT[s] ?? 'bg-zinc-400'}`} />;
}

/** The server's members with presence; moderators can kick or ban from here. */
export function MemberList({ serverId, members, ownerId, myId, permissions }: { serverId: string; members: Member[]; ownerId: string; myId: string | undefined; permissions: string }) {
  const presences = useCached<Presences>(keys.presences, {});
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();
  const online = (m: Member) => (presences[m.userId] ?? 'offline') !== 'offline';
  const sorted = [...members].sort((a, b) => Number(online(b)) - Number(online(a)) || displayName(a).localeCompare(displayName(b)));
  const act = (p: Promise<unknown>) => p.then(() => setOpen(null)).catch((e) => setError(errorMessage(e)));
  return (
    <aside aria-label="Members" className="hidden w-60 shrink-0 overflow-y-auto bg-side p-2 lg:block dark:bg-side-dark">
      <h2 className="px-2 pb-1 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Members — {members.length}</h2>
      {error && <p role="alert" className="px-2 text-sm text-red-700 dark:text-red-400">{error}</p>}
      <ul>
        {sorted.map((m) => (
          <li key={m.userId} data-testid="member">
            <button type="button" aria-expanded={open === m.userId} onClick={() => setOpen(open === m.userId ? null : m.userId)}
              className={`flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left hover:bg-zinc-300/50 dark:hover:bg-zinc-700/40 ${online(m) ? '' : 'opacity-60'}`}>
              <span className="relative">
                <Avatar id={m.userId} name={displayName(m)} url={m.avatarUrl} size="sm" />
                <PresenceDot status={presences[m.userId]} />
              </span>
              <span className="truncate text-sm font-medium">{displayName(m)}</span>
              {m.userId === ownerId && <span title="Owner" aria-label="owner">👑</span>}
            </button>
            {open === m.userId && <ProfileCard userId={m.userId} onClose={() => setOpen(null)} className="my-1 w-full" />}
            {open === m.userId && m.userId !== myId && (
              <div className="ml-10 flex flex-wrap gap-1 pb-1">
                <button type="button" className="rounded bg-brand px-2 py-0.5 text-xs text-white" onClick={() => void openDm(m.userId).then((id) => navigate(`/channels/@me/${id}`)).catch((e) => setError(errorMessage(e)))}>Message</button>
                {has(permissions, P.KICK_MEMBERS) && m.userId !== ownerId && (
                  <button type="button" className="rounded bg-zinc-300 px-2 py-0.5 text-xs dark:bg-zinc-700"
                    onClick={() => act(unwrap(api.DELETE('/api/v1/servers/{id}/members/{userId}', { params: { path: { id: idParam(serverId), userId: idParam(m.userId) } } })))}>Kick</button>
                )}
                {has(permissions, P.BAN_MEMBERS) && m.userId !== ownerId && (
                  <button type="button" className="rounded bg-red-700 px-2 py-0.5 text-xs text-white"
                    onClick={() => act(unwrap(api.PUT('/api/v1/servers/{id}/bans/{userId}', { params: { path: { id: idParam(serverId), userId: idParam(m.userId) } }, body: { reason: null } })))}>Ban</button>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </aside>
  );
}
