import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

/**
 * The menu button pattern (WAI-ARIA APG): the button opens the menu with focus on its checked item, else its first;
 * arrows, Home and End move between items; Escape (or Tab) closes it and focus goes back to the button; a press
 * outside closes it. Spread `buttonProps` on the button and `menuProps` on the menu; items are `role="menuitem…"`
 * with `tabIndex={-1}`.
 */
export function useMenu() {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (!open) return;
    const items = menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]');
    (menu.current?.querySelector<HTMLElement>('[aria-checked="true"]') ?? items?.[0])?.focus();
    const closeOutside = (e: PointerEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', closeOutside);
    return () => document.removeEventListener('pointerdown', closeOutside);
  }, [open]);

  /** Closes the menu and gives the focus back to its button (before what an item opens takes it from there). */
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const step = { ArrowDown: 1, ArrowUp: -1 }[e.key];
    if (step) {
      e.preventDefault();
      items[(at + step + items.length) % items.length]?.focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      items[e.key === 'Home' ? 0 : items.length - 1]?.focus();
    } else if (e.key === 'Escape' || e.key === 'Tab') {
      // Handled here: the app's Escape (mark the channel read) leaves a prevented key alone.
      e.preventDefault();
      close();
    }
  };

  return {
    open,
    close,
    buttonProps: {
      ref: button,
      type: 'button',
      'aria-haspopup': 'menu',
      'aria-expanded': open,
      'aria-controls': open ? menuId : undefined,
      onClick: () => setOpen(!open),
    },
    menuProps: { ref: menu, id: menuId, role: 'menu', tabIndex: -1, onKeyDown },
  } as const;
}
