import { NavLink } from 'react-router';
import { Logo } from '../../ui/Logo';
import { GearIcon, PlusIcon } from '../../ui/icons';

const pill = (active: boolean) =>
  `group relative flex size-12 items-center justify-center transition-all duration-150
   ${active ? 'rounded-2xl' : 'rounded-3xl hover:rounded-2xl'}`;

/** The column of servers. Until servers exist it holds home, a disabled "add a server" and settings. */
export function ServerRail() {
  return (
    <nav aria-label="Servers" className="flex w-[72px] shrink-0 flex-col items-center gap-2 bg-rail py-3 dark:bg-rail-dark">
      <NavLink to="/" end aria-label="Home: direct messages" className={({ isActive }) => pill(isActive)}>
        {({ isActive }) => (
          <>
            <span aria-hidden="true" className={`absolute -left-3 w-1 rounded-r bg-zinc-900 transition-all dark:bg-white ${isActive ? 'h-10' : 'h-0 group-hover:h-5'}`} />
            <Logo className="size-12 rounded-[inherit]" />
          </>
        )}
      </NavLink>
      <div aria-hidden="true" className="h-0.5 w-8 rounded bg-zinc-300 dark:bg-zinc-700" />
      <button
        type="button"
        disabled
        title="Servers are coming soon"
        aria-label="Add a server (coming soon)"
        className="flex size-12 items-center justify-center rounded-3xl bg-main text-emerald-600 disabled:opacity-60 dark:bg-main-dark dark:text-emerald-400"
      >
        <PlusIcon className="size-6" />
      </button>
      <div className="mt-auto">
        <NavLink
          to="/settings"
          aria-label="User settings"
          className={({ isActive }) =>
            `flex size-12 items-center justify-center rounded-3xl transition-all hover:rounded-2xl md:hidden
             ${isActive ? 'bg-brand text-white' : 'bg-main text-zinc-600 dark:bg-main-dark dark:text-zinc-300'}`}
        >
          <GearIcon className="size-6" />
        </NavLink>
      </div>
    </nav>
  );
}
