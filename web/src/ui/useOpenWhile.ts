import { useCallback, useId, useState } from 'react';

/** A phone's drawer (a channel list over the page) and the header button that opens it. */
export interface Drawer {
  open: boolean;
  toggle: () => void;
  /** Closes it; `refocus` gives the focus back to its button (Escape), not when a link in it was followed. */
  close: (refocus?: boolean) => void;
  /** The id of the button that opens it. */
  buttonId: string;
}

/**
 * Open/closed state that stays open only while `where` stays the same: a phone's channel menu closes by itself
 * once a channel is picked.
 */
export function useOpenWhile(where: string): Drawer {
  const [openAt, setOpenAt] = useState<string | null>(null);
  const buttonId = useId();
  const open = openAt === where;
  // Stable: the drawer's effect (focus into it, Escape) runs when it opens, not on every render of the page.
  const close = useCallback(
    (refocus = false) => {
      setOpenAt(null);
      if (refocus) document.getElementById(buttonId)?.focus();
    },
    [buttonId],
  );
  return {
    open,
    toggle: () => setOpenAt(open ? null : where),
    close,
    buttonId,
  };
}
