import { Link } from 'react-router';
import { Avatar } from '../../ui/Avatar';
import { PresenceDot } from '../../ui/PresenceDot';
import { usePresences } from '../gateway/context';
import { useConnectionStale } from '../gateway/GatewayProvider';
import { useProfile } from '../users/queries';

/** How many people the home panel lists; the gateway sends at most 1,000 presences anyway. */
const SHOWN = 30;

/** Home's right-hand panel: who you share a server or a DM with and is online now, from the gateway's presences. */
export function OnlineNow() {
  const presences = usePresences();
  const stale = useConnectionStale();
  const online = Object.entries(presences).filter(([, status]) => status !== 'offline');
  return (
    <aside aria-label="Online now" className="hidden w-60 shrink-0 overflow-y-auto bg-side p-2 lg:block dark:bg-side-dark">
      <h2 className="px-2 pb-1 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Online — {online.length}</h2>
      {online.length === 0 ? (
        <p className="px-2 text-sm text-zinc-600 dark:text-zinc-400">Nobody you share a server or a conversation with is online.</p>
      ) : (
        <ul>
          {online.slice(0, SHOWN).map(([userId, status]) => (
            <OnlineUser key={userId} userId={userId} status={status} stale={stale} />
          ))}
        </ul>
      )}
    </aside>
  );
}

function OnlineUser({ userId, status, stale }: { userId: string; status: string; stale: boolean }) {
  const profile = useProfile(userId);
  const name = profile.data ? (profile.data.displayName ?? profile.data.username) : '…';
  return (
    <li data-testid="online-user">
      <Link
        to={`/users/${userId}`}
        className="flex items-center gap-2 rounded-md px-2 py-1.5 hover:bg-zinc-300/50 dark:hover:bg-zinc-700/40"
      >
        <span className="relative">
          <Avatar id={userId} name={name} url={profile.data?.avatarUrl} size="sm" />
          <PresenceDot status={status} stale={stale} />
        </span>
        <span className="truncate text-sm font-medium">{name}</span>
      </Link>
    </li>
  );
}
