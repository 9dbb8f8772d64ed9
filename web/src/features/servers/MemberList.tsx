import { useState } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage } from '../../api/errors';
import type { Member } from '../../api/types';
import { Avatar } from '../../ui/Avatar';
import { PresenceDot } from '../../ui/PresenceDot';
import { useOpenDmMutation } from '../dms/queries';
import { usePresences, useWatchedPresences } from '../gateway/context';
import { useConnectionStale } from '../gateway/GatewayProvider';
import { displayName } from '../users/displayName';
import { LiveName } from '../users/LiveName';
import { ProfileCard } from '../users/ProfileCard';
import { has, P } from './permissions';
import { formatEnd } from './moderation';
import { ModerationDialog, type ModerationAction } from './ModerationDialogs';
import { useRoles, useTimeoutMemberMutation } from './queries';
import { groupMembers, memberColor } from './roles/roleColors';
import { useTimeoutEnd } from './useTimeoutEnd';

function TimeoutBadge({ timedOutUntil }: { timedOutUntil: string | null | undefined }) {
  const end = useTimeoutEnd(timedOutUntil);
  return end ? (
    <span className="ml-auto text-xs text-zinc-600 dark:text-zinc-400">timed out until {formatEnd(end, new Date())}</span>
  ) : null;
}

/** Times out, or lifts the timeout while it lasts. */
function TimeoutButton({
  timedOutUntil,
  onTimeout,
  onLift,
}: {
  timedOutUntil: string | null | undefined;
  onTimeout: () => void;
  onLift: () => void;
}) {
  const end = useTimeoutEnd(timedOutUntil);
  return (
    <button type="button" className="rounded bg-zinc-300 px-2 py-0.5 text-xs dark:bg-zinc-700" onClick={end ? onLift : onTimeout}>
      {end ? 'Remove timeout' : 'Timeout'}
    </button>
  );
}

/**
 * The server's members with presence; moderators can kick or ban from here. Shown in a side panel or, on a phone, a
 * dialog: `onNavigate` closes that when Message opens the DM.
 */
export function MemberList({
  serverId,
  serverName,
  members,
  ownerId,
  myId,
  permissions,
  onNavigate,
}: {
  serverId: string;
  serverName: string;
  members: Member[];
  ownerId: string;
  myId: string | undefined;
  permissions: string;
  onNavigate?: () => void;
}) {
  const presences = usePresences();
  const stale = useConnectionStale();
  const openDm = useOpenDmMutation();
  const lift = useTimeoutMemberMutation(serverId);
  const [open, setOpen] = useState<string | null>(null);
  const [moderating, setModerating] = useState<{ action: ModerationAction; member: Member } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();
  const online = (m: Member) => (presences[m.userId] ?? 'offline') !== 'offline';
  const { data: roles = [] } = useRoles(serverId);
  const groups = groupMembers(members, roles, online, displayName);
  useWatchedPresences(
    serverId,
    groups.flatMap((g) => g.members.map((m) => m.userId)),
  );
  const moderate = (action: ModerationAction, member: Member) => {
    setError(null);
    setModerating({ action, member });
  };
  return (
    <>
      {error && (
        <p role="alert" className="px-2 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      {groups.map((group) => (
        <section key={group.key} aria-label={`${group.label} — ${group.members.length}`}>
          <h3 className="px-2 pt-3 pb-1 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
            {group.label} — {group.members.length}
          </h3>
          <ul>
            {group.members.map((m) => (
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
                  <span
                    className="truncate text-sm font-medium" // Offline rows are dimmed; a dimmed role colour would fall below readable contrast, so they keep the plain text colour.
                    style={{ color: online(m) ? memberColor(m.roles, roles) : undefined }}
                  >
                    <LiveName id={m.userId} user={m} />
                  </span>
                  {m.userId === ownerId && (
                    <span title="Owner" aria-label="owner">
                      👑
                    </span>
                  )}
                  <TimeoutBadge timedOutUntil={m.timedOutUntil} />
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
                              onSuccess: (dm) => {
                                onNavigate?.();
                                void navigate(`/channels/@me/${dm.id}`);
                              },
                              onError: (e) => setError(errorMessage(e)),
                            })
                          }
                        >
                          Message
                        </button>
                        {has(permissions, P.MODERATE_MEMBERS) && m.userId !== ownerId && (
                          <TimeoutButton
                            timedOutUntil={m.timedOutUntil}
                            onTimeout={() => moderate('timeout', m)}
                            onLift={() =>
                              lift.mutate({ userId: m.userId, until: null, reason: '' }, { onError: (e) => setError(errorMessage(e)) })
                            }
                          />
                        )}
                        {has(permissions, P.KICK_MEMBERS) && m.userId !== ownerId && (
                          <button
                            type="button"
                            className="rounded bg-zinc-300 px-2 py-0.5 text-xs dark:bg-zinc-700"
                            onClick={() => moderate('kick', m)}
                          >
                            Kick
                          </button>
                        )}
                        {has(permissions, P.BAN_MEMBERS) && m.userId !== ownerId && (
                          <button
                            type="button"
                            className="rounded bg-red-700 px-2 py-0.5 text-xs text-white"
                            onClick={() => moderate('ban', m)}
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
        </section>
      ))}
      {moderating && (
        <ModerationDialog
          action={moderating.action}
          serverId={serverId}
          serverName={serverName}
          userId={moderating.member.userId}
          name={displayName(moderating.member)}
          onClose={() => {
            setModerating(null);
            setOpen(null);
          }}
        />
      )}
    </>
  );
}
