import { usePageTitle } from '../../ui/usePageTitle';
import { DmSidebar } from '../dms/DmSidebar';
import { useMe } from '../auth/queries';
import { useDmSearchSources } from '../search/sources';
import { useSearchUi } from '../search/useSearchUi';
import { ChatIcon } from '../../ui/icons';
import { OnlineNow } from './OnlineNow';

/** Home: the direct-message list and, until a conversation is chosen, an invitation to pick one. */
export default function HomePage() {
  usePageTitle('Home');
  const { data: me } = useMe();
  const search = useSearchUi(useDmSearchSources(me?.id));
  return (
    <>
      <DmSidebar />
      <main id="main" tabIndex={-1} className="flex min-w-0 flex-1 flex-col focus:outline-none">
        <header className="flex h-12 items-center gap-2 border-b border-zinc-200 px-4 shadow-sm dark:border-black/30">
          <h1 className="font-semibold">Home</h1>
          <div className="ml-auto">{search.box}</div>
        </header>
        <div className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center">
          <span className="flex size-16 items-center justify-center rounded-full bg-brand/15 text-indigo-700 dark:text-indigo-300">
            <ChatIcon className="size-8" />
          </span>
          <h2 className="text-xl font-semibold">Select a conversation</h2>
          <p className="max-w-sm text-sm text-zinc-600 dark:text-zinc-400">
            Pick a direct message or a server on the left to start chatting. Your conversations will show up here.
          </p>
        </div>
      </main>
      {search.panel || <OnlineNow />}
    </>
  );
}
