import { useId, useMemo, useState } from 'react';
import { errorMessage } from '../../api/errors';
import { Button } from '../../ui/Button';
import { displayName } from '../users/displayName';
import { AUDIT_ACTIONS, describeChange, describeEntry } from './moderation';
import { useAuditLog, useMembers } from './queries';

const select = 'rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-900';

/** The server's audit log, newest first, filterable by who acted and by action, with older pages on request. */
export function AuditLogSection({ serverId, className }: { serverId: string; className: string }) {
  const [userId, setUserId] = useState('');
  const [action, setAction] = useState('');
  const { data, error, isPending, hasNextPage, fetchNextPage, isFetchingNextPage } = useAuditLog(serverId, {
    userId: userId || undefined,
    action: action || undefined,
  });
  const entries = useMemo(() => data?.pages.flatMap((p) => p.entries) ?? [], [data]);
  const { data: members = [] } = useMembers(serverId);
  const userFilter = useId();
  const actionFilter = useId();
  const names = useMemo(() => {
    const known = new Map((data?.pages ?? []).flatMap((p) => p.users).map((u) => [u.id, displayName(u)]));
    for (const m of members) known.set(m.userId, displayName(m));
    return known;
  }, [data, members]);

  return (
    <section aria-labelledby="audit-h" className={className}>
      <h2 id="audit-h" className="font-semibold">
        Audit log
      </h2>
      <div className="mt-2 flex flex-wrap gap-3">
        <label htmlFor={userFilter} className="flex items-center gap-2 text-sm">
          By
          <select id={userFilter} className={select} value={userId} onChange={(e) => setUserId(e.target.value)}>
            <option value="">Anyone</option>
            {members.map((m) => (
              <option key={m.userId} value={m.userId}>
                {displayName(m)}
              </option>
            ))}
          </select>
        </label>
        <label htmlFor={actionFilter} className="flex items-center gap-2 text-sm">
          Action
          <select id={actionFilter} className={select} value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">All actions</option>
            {Object.entries(AUDIT_ACTIONS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
          {errorMessage(error)}
        </p>
      )}
      {isPending ? (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">Nothing recorded{userId || action ? ' that matches' : ''}.</p>
      ) : (
        <ol aria-label="Audit log entries" className="mt-2 flex flex-col gap-2">
          {entries.map((entry) => (
            <li key={entry.id} data-testid="audit-entry" className="rounded-md bg-white/60 p-2 text-sm dark:bg-zinc-900/40">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <span className="font-medium">{describeEntry(entry, names)}</span>
                <time dateTime={entry.createdAt} className="text-xs text-zinc-600 dark:text-zinc-400">
                  {new Date(entry.createdAt).toLocaleString()}
                </time>
              </div>
              {entry.reason && <p className="text-zinc-700 dark:text-zinc-300">Reason: {entry.reason}</p>}
              {entry.changes.length > 0 && (
                <ul className="text-xs text-zinc-600 dark:text-zinc-400">
                  {entry.changes.map((change) => (
                    <li key={change.key}>{describeChange(change)}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
      {hasNextPage && (
        <Button variant="secondary" className="mt-3" busy={isFetchingNextPage} onClick={() => void fetchNextPage()}>
          Load older entries
        </Button>
      )}
    </section>
  );
}
