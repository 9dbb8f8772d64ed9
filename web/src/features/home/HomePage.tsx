import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ChatIcon } from '../../ui/icons';
import { usePageTitle } from '../../ui/usePageTitle';
import { DmSidebar } from '../dms/DmSidebar';
import { useMe } from '../auth/queries';
import { useDms } from '../dms/queries';
import { useConnectionStatus, useGateway } from '../gateway/context';
import { useDmSearchSources } from '../search/sources';
import { useSearchUi } from '../search/useSearchUi';
import { useServers } from '../servers/queries';
import { OnlineNow } from './OnlineNow';
import { AddServerDialog, inviteCode } from './ServerRail';

const HomeIcon = () => (
  <span className="flex size-16 items-center justify-center rounded-full bg-brand/15 text-indigo-700 dark:text-indigo-300">
    <ChatIcon className="size-8" />
  </span>
);

/** Someone with no servers and no conversations yet: what they can do first. */
function FirstRun({ onCreate }: { onCreate: () => void }) {
  const [invite, setInvite] = useState('');
  const navigate = useNavigate();
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-4 p-8 text-center">
      <HomeIcon />
      <h2 className="text-xl font-semibold">Welcome to KamaChat</h2>
      <p className="max-w-sm text-sm text-zinc-600 dark:text-zinc-400">
        Servers are where communities talk. Start one for your friends, or join one with an invite link someone sent you.
      </p>
      <button
        type="button"
        onClick={onCreate}
        className="rounded-md bg-brand px-5 py-2 text-sm font-medium text-white hover:bg-brand-strong"
      >
        Create a server
      </button>
      <form
        className="flex w-full max-w-sm flex-col gap-2 text-left"
        onSubmit={(e) => {
          e.preventDefault();
          void navigate(`/invite/${encodeURIComponent(inviteCode(invite))}`);
        }}
      >
        <label htmlFor="first-run-invite" className="text-xs font-bold uppercase text-zinc-600 dark:text-zinc-300">
          Have an invite? Paste the link or code
        </label>
        <div className="flex gap-2">
          <input
            id="first-run-invite"
            required
            value={invite}
            onChange={(e) => setInvite(e.target.value)}
            placeholder="https://chat.example.com/invite/…"
            className="min-w-0 flex-1 rounded-md border border-zinc-300 px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
          <button
            type="submit"
            disabled={!invite.trim()}
            className="rounded-md bg-zinc-300 px-4 py-2 text-sm font-medium disabled:opacity-60 dark:bg-zinc-700"
          >
            Join
          </button>
        </div>
      </form>
    </div>
  );
}

/** Home: the direct-message list and, until a conversation is chosen, an invitation to pick one (or, on a first run, to start). */
export default function HomePage() {
  usePageTitle('Home');
  const { data: me } = useMe();
  const search = useSearchUi(useDmSearchSources(me?.id));
  const servers = useServers();
  const dms = useDms();
  useConnectionStatus();
  const firstRun = useGateway().ready && servers.length === 0 && dms.isSuccess && dms.data.length === 0;
  // Here, not in FirstRun: creating the server ends the first run, and the dialog must outlive it to go there.
  const [adding, setAdding] = useState(false);
  return (
    <>
      {/* On a phone, Home is the conversation list (the first run keeps its welcome instead). */}
      <DmSidebar mobilePage={!firstRun} />
      <main id="main" tabIndex={-1} className={`${firstRun ? 'flex' : 'hidden md:flex'} min-w-0 flex-1 flex-col focus:outline-none`}>
        <header className="@container flex h-12 items-center gap-2 border-b border-zinc-200 px-4 shadow-sm dark:border-black/30">
          <h1 className="font-semibold">Home</h1>
          <div className="ml-auto flex min-w-0 grow justify-end">{search.box}</div>
        </header>
        {firstRun ? (
          <FirstRun onCreate={() => setAdding(true)} />
        ) : (
          <div className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center">
            <HomeIcon />
            <h2 className="text-xl font-semibold">Select a conversation</h2>
            <p className="max-w-sm text-sm text-zinc-600 dark:text-zinc-400">
              Pick a direct message or a server on the left to start chatting. Your conversations will show up here.
            </p>
          </div>
        )}
      </main>
      {search.panel || <OnlineNow />}
      {adding && <AddServerDialog onClose={() => setAdding(false)} />}
    </>
  );
}
