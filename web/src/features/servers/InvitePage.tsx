import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { usePageTitle } from '../../ui/usePageTitle';
import { useInvitePreview, useJoinServerMutation } from './queries';

/** /invite/{code}: shows which server the invite is for, and joins it. */
export default function InvitePage() {
  const { code = '' } = useParams();
  const navigate = useNavigate();
  const { data: preview, error: loadError, isPending } = useInvitePreview(code);
  const join = useJoinServerMutation();
  usePageTitle(preview ? `Join ${preview.serverName}` : 'Invite');
  return (
    <main id="main" className="flex flex-1 items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg bg-side p-6 text-center shadow-lg dark:bg-side-dark">
        {isPending ? (
          <p role="status">Loading invite…</p>
        ) : loadError ? (
          <>
            <h1 className="text-xl font-bold">Invite not valid</h1>
            <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
              {loadError instanceof ApiError && loadError.status === 410
                ? 'This invite has expired or been used up.'
                : 'This invite does not exist.'}
            </p>
            <Link to="/" className="mt-4 inline-block text-blue-700 underline dark:text-sky-400">
              Go home
            </Link>
          </>
        ) : (
          <>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">You have been invited to join</p>
            <h1 className="mt-1 text-2xl font-bold">{preview.serverName}</h1>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
              {preview.memberCount} member{preview.memberCount === 1 ? '' : 's'}
            </p>
            {join.isError && (
              <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
                {errorMessage(join.error)}
              </p>
            )}
            <button
              type="button"
              disabled={join.isPending || join.isSuccess}
              onClick={() => join.mutate(code, { onSuccess: (server) => navigate(`/servers/${server.id}`) })}
              className="mt-4 w-full rounded-md bg-brand py-2 font-medium text-white hover:bg-brand-strong disabled:opacity-60"
            >
              Accept invite
            </button>
          </>
        )}
      </div>
    </main>
  );
}
