import { useId, useState } from 'react';
import { displayName } from '../../users/displayName';
import { ModerationDialog, type ModerationAction } from '../ModerationDialogs';
import { has, P } from '../permissions';
import { useMembers, useRoles } from '../queries';
import { input, linkButton, dangerLink, muted, section } from './styles';

/** Everyone in the server, searchable, with their roles; kick, ban and time out through the moderation dialog. */
export function MembersSection({
  serverId,
  serverName,
  ownerId,
  myId,
  permissions,
}: {
  serverId: string;
  serverName: string;
  ownerId: string;
  myId: string | undefined;
  permissions: string;
}) {
  const { data: members = [], isPending } = useMembers(serverId);
  const { data: roles = [] } = useRoles(serverId);
  const [query, setQuery] = useState('');
  const [acting, setActing] = useState<{ action: ModerationAction; userId: string; name: string } | null>(null);
  const searchId = useId();
  const needle = query.trim().toLowerCase();
  const shown = members.filter((m) => !needle || `${displayName(m)} ${m.username} ${m.nickname ?? ''}`.toLowerCase().includes(needle));
  const roleName = (id: string) => roles.find((r) => r.id === id)?.name;
  return (
    <section aria-labelledby="members-h" className={section}>
      <h2 id="members-h" className="font-semibold">
        Members
      </h2>
      <label htmlFor={searchId} className="sr-only">
        Search members
      </label>
      <input
        id={searchId}
        type="search"
        placeholder="Search members"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        className={`${input} mt-2 w-full`}
      />
      {isPending ? (
        <p className={`${muted} mt-2`}>Loading…</p>
      ) : (
        <ul aria-label="Server members" className="mt-2 flex flex-col gap-1">
          {shown.map((m) => {
            const name = displayName(m);
            const manageable = m.userId !== ownerId && m.userId !== myId;
            return (
              <li key={m.userId} className="flex flex-wrap items-center gap-2 rounded-md bg-white/60 px-2 py-1 text-sm dark:bg-zinc-900/40">
                <span className="font-medium">{name}</span>
                <span className={muted}>@{m.username}</span>
                {m.userId === ownerId && <span className="text-xs">(owner)</span>}
                <span className="flex flex-1 flex-wrap gap-1">
                  {m.roles.map((id) =>
                    roleName(id) ? (
                      <span key={id} className="rounded bg-zinc-200 px-1.5 text-xs dark:bg-zinc-700">
                        {roleName(id)}
                      </span>
                    ) : null,
                  )}
                </span>
                {manageable && has(permissions, P.MODERATE_MEMBERS) && (
                  <button type="button" className={linkButton} onClick={() => setActing({ action: 'timeout', userId: m.userId, name })}>
                    Time out
                  </button>
                )}
                {manageable && has(permissions, P.KICK_MEMBERS) && (
                  <button type="button" className={dangerLink} onClick={() => setActing({ action: 'kick', userId: m.userId, name })}>
                    Kick
                  </button>
                )}
                {manageable && has(permissions, P.BAN_MEMBERS) && (
                  <button type="button" className={dangerLink} onClick={() => setActing({ action: 'ban', userId: m.userId, name })}>
                    Ban
                  </button>
                )}
              </li>
            );
          })}
          {shown.length === 0 && <li className={muted}>Nobody matches.</li>}
        </ul>
      )}
      {acting && (
        <ModerationDialog
          action={acting.action}
          serverId={serverId}
          serverName={serverName}
          userId={acting.userId}
          name={acting.name}
          onClose={() => setActing(null)}
        />
      )}
    </section>
  );
}
