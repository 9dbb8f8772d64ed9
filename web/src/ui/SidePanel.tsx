import { useCallback, type ReactNode } from 'react';
import { Button } from './Button';
import { Dialog } from './Dialog';
import type { PanelControl } from './HeaderMenu';
import { UsersIcon } from './icons';

/** A panel beside the chat (a server's members, a group's people), shown from lg (1024 px) up. */
export function SidePanel({ label, title, children }: { label: string; title: string; children: ReactNode }) {
  return (
    <aside aria-label={label} className="hidden w-60 shrink-0 overflow-y-auto bg-side p-2 lg:block dark:bg-side-dark">
      <h2 className="px-2 pb-1 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">{title}</h2>
      {children}
    </aside>
  );
}

/**
 * Below lg there is no room for the side panel: this header button opens the same content as a dialog over the page.
 * `children` gets the dialog's close, for an action that leaves the page (the panel would cover where it went).
 */
export function SidePanelButton({
  label,
  title,
  control: { open, onOpenChange },
  className = '',
  children,
}: {
  label: string;
  title: string;
  control: PanelControl;
  className?: string;
  children: (close: () => void) => ReactNode;
}) {
  const close = useCallback(() => onOpenChange(false), [onOpenChange]);
  return (
    <>
      <button
        type="button"
        aria-label={label}
        title={label}
        aria-haspopup="dialog"
        onClick={() => onOpenChange(true)}
        className={`shrink-0 rounded px-1.5 py-0.5 text-zinc-600 hover:bg-zinc-200 lg:hidden dark:text-zinc-300 dark:hover:bg-zinc-700 ${className}`}
      >
        <UsersIcon />
      </button>
      {open && (
        <Dialog title={title} onClose={close}>
          <div className="-mx-2 max-h-[60vh] overflow-y-auto">{children(close)}</div>
          <Button className="self-end" onClick={close}>
            Close
          </Button>
        </Dialog>
      )}
    </>
  );
}
