import { Link, Navigate, useSearchParams } from 'react-router';
import { linkToPath } from '../../platform/links';
import { usePageTitle } from '../../ui/usePageTitle';

/** /open?link=web+kamachat://…: where the installed web app's protocol handler sends a link. */
export default function OpenLinkPage() {
  const [params] = useSearchParams();
  const path = linkToPath(params.get('link') ?? '');
  usePageTitle('Open link');
  if (path) return <Navigate to={path} replace />;
  return (
    <main id="main" className="flex flex-1 flex-col items-center justify-center gap-2 p-8 text-center">
      <h1 className="text-xl font-semibold">This link cannot be opened</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">KamaChat links open invites, conversations, servers and profiles.</p>
      <Link to="/" className="text-blue-700 underline dark:text-sky-400">
        Go home
      </Link>
    </main>
  );
}
