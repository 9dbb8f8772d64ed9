import { useCallback, useState, type ReactNode } from 'react';
import { DotsIcon } from './icons';
import { useMenu } from './Menu';

/** Whether one of a header's panels is open, shared by its own button and the phone's menu item for it. */
export interface PanelControl {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

/** The class for a header button that the phone's "More options" menu holds instead: hidden below sm (640 px). */
export const BESIDE_MENU = 'max-sm:hidden';

/** Which of a conversation header's panels (notifications, pins, members) is open: one at a time. */
export function useHeaderPanels<Name extends string>() {
  const [panel, setPanel] = useState<Name | null>(null);
  return useCallback(
    (name: Name): PanelControl => ({
      open: panel === name,
      onOpenChange: (open) => setPanel((now) => (open ? name : now === name ? null : now)),
    }),
    [panel],
  );
}

export interface HeaderMenuItem {
  label: string;
  icon: ReactNode;
  control: PanelControl;
}

/**
 * On a phone the header has no room for its buttons and the conversation's name: this "More options" menu holds
 * them (the buttons are hidden there with BESIDE_MENU), and each item opens what its button opens. From sm up it is
 * not shown.
 */
export function HeaderMenu({ items }: { items: (HeaderMenuItem | false | undefined)[] }) {
  const { open, close, buttonProps, menuProps } = useMenu();
  return (
    <div className="relative shrink-0 sm:hidden">
      <button
        {...buttonProps}
        aria-label="More options"
        title="More options"
        className="rounded p-1 text-zinc-600 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-700"
      >
        <DotsIcon />
      </button>
      {open && (
        <div
          {...menuProps}
          aria-label="More options"
          className="absolute top-9 right-0 z-40 w-60 rounded-lg bg-white p-1.5 text-sm shadow-xl ring-1 ring-black/10 dark:bg-zinc-900 dark:ring-white/10"
        >
          {items.map(
            (item) =>
              item && (
                <button
                  key={item.label}
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  onClick={() => {
                    // The focus goes back to the menu's button first: what the item opens returns it there when it closes.
                    close();
                    item.control.onOpenChange(true);
                  }}
                  className="flex w-full items-center gap-2 rounded-md px-2 py-2 text-left font-medium hover:bg-brand hover:text-white focus:bg-brand focus:text-white focus:outline-none"
                >
                  {item.icon}
                  {item.label}
                </button>
              ),
          )}
        </div>
      )}
    </div>
  );
}
