import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { usePageTitle } from '../ui/usePageTitle';

function Message({ title, text }: { title: string; text: string }) {
  usePageTitle(title);
  return (
    <main id="main" tabIndex={-1} className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center focus:outline-none">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <p className="text-zinc-600 dark:text-zinc-400">{text}</p>
      <Link to="/" className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
        Go home
      </Link>
    </main>
  );
}

export function NotFoundPage() {
  return <Message title="Page not found" text="There’s nothing at this address." />;
}

/** Shown when a page fails to load or render (for example after a deploy replaced its chunk). */
export function RouteError() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;
  return <Message title="Something went wrong" text="This page could not be shown. Reload to try again." />;
}
