import { errorMessage } from '../../../api/errors';
import { useMembers } from '../queries';
import { displayName } from '../../users/displayName';
import { useBans, useUnbanMutation } from './queries';
import { linkButton, muted, section } from './styles';

/** Who is banned, why and by whom; unbanning lets them join again with an invite. */
export function BansSection({ serverId }: { serverId: string }) {
  const { data: bans = [], isPending, error } = useBans(serverId);
  const { data: members = [] } = useMembers(serverId);
  const unban = useUnbanMutation(serverId);
  const nameOf = (id: string) => {
    const m = members.find((x) => x.userId === id);
    return m ? displayName(m) : 'a former member';
  };
  return (
    <section aria-labelledby="bans-h" className={section}>
      <h2 id="bans-h" className="font-semibold">
        Bans
      </h2>
      {(error ?? unban.error) && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
          {errorMessage(error ?? unban.error)}
        </p>
      )}
      {isPending ? (
        <p className={`${muted} mt-2`}>Loading…</p>
      ) : bans.length === 0 ? (
        <p className={`${muted} mt-2`}>Nobody is banned.</p>
      ) : (
        <ul aria-label="Banned users" className="mt-2 flex flex-col gap-1">
          {bans.map((b) => (
            <li key={b.userId} className="flex flex-wrap items-center gap-2 rounded-md bg-white/60 px-2 py-1 text-sm dark:bg-zinc-900/40">
              <span className="font-medium">@{b.username}</span>
              <span className={`${muted} flex-1`}>
                {b.reason ? `Reason: ${b.reason}` : 'No reason given'} · by {nameOf(b.bannedById)} ·{' '}
                <time dateTime={b.createdAt}>{new Date(b.createdAt).toLocaleDateString()}</time>
              </span>
              <button
                type="button"
                className={linkButton}
                aria-label={`Unban ${b.username}`}
                disabled={unban.isPending && unban.variables === b.userId}
                onClick={() => unban.mutate(b.userId)}
              >
                Unban
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
