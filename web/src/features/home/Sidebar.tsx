import { useEffect, useRef, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useMe } from '../auth/queries';
import { GearIcon } from '../../ui/icons';
import type { Drawer } from '../../ui/useOpenWhile';
import { StatusMenu } from '../status/StatusMenu';
import { VoicePanel } from '../voice/VoicePanel';

/** The second column: a header, the page's list, and the signed-in user's panel at the bottom. */
export function Sidebar({
  header,
  banner,
  label,
  children,
  drawer,
  mobilePage = false,
}: {
  header: ReactNode;
  /** Shown above the header: a server's banner. */
  banner?: ReactNode;
  label: string;
  children: ReactNode;
  /** On a phone the sidebar is a drawer over the page, opened by the page's menu button. */
  drawer?: Drawer;
  /** On a phone the sidebar is the page itself (Home's conversation list), not something opened over it. */
  mobilePage?: boolean;
}) {
  const open = !mobilePage && !!drawer?.open;
  const aside = useRef<HTMLElement>(null);
  const close = drawer?.close;
  // The open drawer takes the focus (its button is under it), Escape closes it, back to its button, and a link in it
  // followed closes it, to the conversation already open too (that changed nothing it would close on).
  useEffect(() => {
    const drawer = aside.current;
    if (!open || !close || !drawer) return;
    drawer.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      // Prevented: the app's Escape (mark the channel read) leaves it alone.
      e.preventDefault();
      close(true);
    };
    const onClick = (e: MouseEvent) => {
      if ((e.target as Element).closest('a')) close();
    };
    document.addEventListener('keydown', onKey);
    drawer.addEventListener('click', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      drawer.removeEventListener('click', onClick);
    };
  }, [open, close]);
  // On a phone the sidebar is hidden until the page's menu button opens it over the content.
  const phone = mobilePage ? 'flex min-w-0 flex-1' : open ? 'fixed inset-y-0 left-[72px] z-30 flex w-60 shadow-xl' : 'hidden w-60';
  return (
    <>
      {open && (
        // A press beside the drawer closes it, as a phone's drawers do (the server list beside it stays usable).
        <div
          aria-hidden="true"
          data-testid="drawer-backdrop"
          onClick={() => close?.()}
          className="fixed inset-y-0 right-0 left-[72px] z-20 bg-black/40 md:hidden"
        />
      )}
      <aside
        ref={aside}
        aria-label={label}
        tabIndex={open ? -1 : undefined}
        className={`${phone} shrink-0 flex-col bg-side focus:outline-none md:static md:flex md:w-60 md:flex-none md:shadow-none dark:bg-side-dark`}
      >
        {banner}
        <div className="flex h-12 items-center border-b border-zinc-300 px-4 shadow-sm dark:border-black/30">{header}</div>
        <div className="flex-1 overflow-y-auto p-2">{children}</div>
        {/* On a phone the sidebar is folded away: the frame shows the call's panel under the page instead. */}
        <VoicePanel className="max-md:hidden" />
        <UserPanel />
      </aside>
    </>
  );
}

function UserPanel() {
  const { data: me } = useMe();
  if (!me) return <div className="h-[52px] bg-zinc-200/60 dark:bg-[#232428]" />;
  const name = me.displayName || me.username;
  return (
    <div className="flex h-[52px] items-center gap-1 bg-zinc-200/60 px-2 dark:bg-[#232428]">
      <StatusMenu me={me} />
      <Link
        to={`/users/${me.id}`}
        className="flex min-w-0 flex-1 items-center gap-2 rounded-md p-1 hover:bg-zinc-300/60 dark:hover:bg-zinc-700/50"
      >
        <span className="min-w-0 leading-tight">
          <span className="block truncate text-sm font-semibold">{name}</span>
          <span className="block truncate text-xs text-zinc-600 dark:text-zinc-400">{me.statusText || `@${me.username}`}</span>
        </span>
      </Link>
      <Link
        to="/settings"
        aria-label="User settings"
        className="rounded-md p-1.5 text-zinc-600 hover:bg-zinc-300/60 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-700/50 dark:hover:text-white"
      >
        <GearIcon />
      </Link>
    </div>
  );
}
