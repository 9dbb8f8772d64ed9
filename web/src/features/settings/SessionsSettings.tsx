import { errorMessage } from '../../api/errors';
import type { Session } from '../../api/types';
import { Alert } from '../../ui/Alert';
import { Button, Spinner } from '../../ui/Button';
import { MonitorIcon } from '../../ui/icons';
import { usePageTitle } from '../../ui/usePageTitle';
import { describeDevice } from './describeDevice';
import { useRevokeOtherSessionsMutation, useRevokeSessionMutation, useSessions } from './queries';
import { SectionHeading } from './SettingsLayout';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export default function SessionsSettings() {
  usePageTitle('Sessions');
  const sessions = useSessions();
  const revoke = useRevokeSessionMutation();
  const revokeOthers = useRevokeOtherSessionsMutation();

  const list = sessions.data ?? [];
  const current = list.find((s) => s.current);
  const others = list.filter((s) => !s.current);

  return (
    <>
      <SectionHeading title="Sessions" description="Devices signed in to your account. Sign out any you don’t recognise." />
      {(revoke.isError || revokeOthers.isError) && (
        <div className="mb-4">
          <Alert>{errorMessage(revoke.error ?? revokeOthers.error)}</Alert>
        </div>
      )}
      {sessions.isPending ? (
        <Spinner label="Loading sessions…" />
      ) : sessions.isError ? (
        <Alert>{errorMessage(sessions.error)}</Alert>
      ) : (
        <>
          {current && (
            <section aria-labelledby="current-device" className="mb-8">
              <h2 id="current-device" className="mb-2 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
                Current device
              </h2>
              <ul>
                <SessionRow session={current} />
              </ul>
            </section>
          )}
          <section aria-labelledby="other-devices">
            <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
              <h2 id="other-devices" className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
                Other devices ({others.length})
              </h2>
              {others.length > 0 && (
                <Button variant="danger" busy={revokeOthers.isPending} onClick={() => revokeOthers.mutate(others)}>
                  Sign out everywhere else
                </Button>
              )}
            </div>
            {others.length === 0 ? (
              <p className="rounded-lg bg-side p-4 text-sm text-zinc-600 dark:bg-side-dark dark:text-zinc-400">
                You’re not signed in anywhere else.
              </p>
            ) : (
              <ul className="flex flex-col gap-2">
                {others.map((session) => (
                  <SessionRow
                    key={session.id}
                    session={session}
                    onSignOut={() => revoke.mutate(session.id)}
                    busy={revoke.isPending && revoke.variables === session.id}
                  />
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </>
  );
}

function SessionRow({ session, onSignOut, busy = false }: { session: Session; onSignOut?: () => void; busy?: boolean }) {
  const device = describeDevice(session.userAgent);
  return (
    <li
      data-testid="session"
      data-current={session.current || undefined}
      className="flex items-center gap-4 rounded-lg bg-side p-4 dark:bg-side-dark"
    >
      <MonitorIcon className="size-8 shrink-0 text-zinc-500" />
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-2 font-medium">
          {device}
          {session.current && (
            <span className="rounded-full bg-brand/15 px-2 py-0.5 text-xs font-medium text-indigo-700 dark:text-indigo-300">
              This device
            </span>
          )}
        </p>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {session.ipAddress ? `${session.ipAddress} · ` : ''}Last active {when.format(new Date(session.lastUsedAt))}
        </p>
        <p className="text-xs text-zinc-600 dark:text-zinc-400">Signed in {when.format(new Date(session.createdAt))}</p>
      </div>
      {onSignOut && (
        <Button
          variant="secondary"
          busy={busy}
          onClick={onSignOut}
          aria-label={`Sign out ${device}, last active ${when.format(new Date(session.lastUsedAt))}`}
        >
          Sign out
        </Button>
      )}
    </li>
  );
}
