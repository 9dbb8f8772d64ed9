import { useNavigate, useParams } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Avatar } from '../../ui/Avatar';
import { Spinner } from '../../ui/Button';
import { usePageTitle } from '../../ui/usePageTitle';
import { useMe } from '../auth/queries';
import { useOpenDmMutation } from '../dms/queries';
import { RelationshipActions } from '../friends/RelationshipActions';
import { useProfile } from './queries';

const joined = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });

/** A user's public profile. */
export default function ProfilePage() {
  const { id = '' } = useParams();
  const { data: user, error, isPending } = useProfile(id);
  const name = user ? user.displayName || user.username : undefined;
  usePageTitle(name ?? 'Profile');
  const { data: me } = useMe();
  const navigate = useNavigate();
  const openDm = useOpenDmMutation();
  const message = () => openDm.mutate(id, { onSuccess: (dm) => navigate(`/channels/@me/${dm.id}`) });

  return (
    <main id="main" tabIndex={-1} className="flex min-w-0 flex-1 justify-center overflow-y-auto p-4 focus:outline-none md:p-10">
      {isPending ? (
        <Spinner label="Loading profile…" />
      ) : error ? (
        <div className="w-full max-w-xl">
          <Alert>{error instanceof ApiError && error.status === 404 ? 'This user does not exist.' : errorMessage(error)}</Alert>
        </div>
      ) : (
        <article className="h-fit w-full max-w-xl overflow-hidden rounded-xl bg-side shadow-lg dark:bg-side-dark">
          <div aria-hidden="true" className="h-28 bg-gradient-to-r from-brand to-sky-500" />
          <div className="px-6 pb-6">
            <div className="-mt-10 mb-3 w-fit rounded-full border-[6px] border-side dark:border-side-dark">
              <Avatar id={user.id} name={name!} url={user.avatarUrl} size="lg" />
            </div>
            <h1 className="text-2xl font-bold">{name}</h1>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">@{user.username}</p>
            {me && me.id !== user.id && (
              <button
                type="button"
                onClick={message}
                className="mt-3 rounded-md bg-brand px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-strong"
              >
                Message
              </button>
            )}
            {openDm.isError && <Alert>{errorMessage(openDm.error)}</Alert>}
            {me && me.id !== user.id && <RelationshipActions userId={user.id} name={name!} />}
            {user.statusText && <p className="mt-2 text-sm">{user.statusText}</p>}
            <div className="mt-4 rounded-lg bg-main p-4 dark:bg-rail-dark">
              {user.bio && (
                <>
                  <h2 className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">About me</h2>
                  <p className="mt-1 whitespace-pre-wrap break-words text-sm">{user.bio}</p>
                </>
              )}
              <h2 className={`text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400 ${user.bio ? 'mt-4' : ''}`}>
                Member since
              </h2>
              <p className="mt-1 text-sm">{joined.format(new Date(user.createdAt))}</p>
            </div>
          </div>
        </article>
      )}
    </main>
  );
}
