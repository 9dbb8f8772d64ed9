import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { Button } from './Button';

/** Tab wraps within the dialog (the page behind is inert already) instead of leaving for the browser's toolbar. */
function wrapTab(e: KeyboardEvent<HTMLDialogElement>) {
  // A dialog opened from another (a confirmation over a phone's members sheet) wraps its own Tab; React bubbles it here.
  if (e.key !== 'Tab' || e.defaultPrevented) return;
  const controls = [
    ...e.currentTarget.querySelectorAll<HTMLElement>(
      'button:not([disabled]), [href], input, select, textarea, [tabindex]:not([tabindex="-1"])',
    ),
  ];
  const first = controls[0];
  const last = controls[controls.length - 1];
  if (!first || !last) return;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

/** Gives focus back to what opened a dialog, once it is gone. */
function restoreFocus(opener: HTMLElement | null) {
  if (!opener?.isConnected) return;
  opener.focus();
  // An opener shown only on hover or focus (a message's actions) is hidden once the pointer left it for the dialog:
  // focus what holds it first, which shows it again.
  if (document.activeElement !== opener) {
    opener.parentElement?.closest<HTMLElement>('[tabindex]')?.focus();
    opener.focus();
  }
}

/**
 * A modal dialog on the native <dialog> element: the page behind it is inert, Tab stays inside, Esc closes it, it is
 * labelled by its title (and described by its body when `description` is given), and focus returns to where it was
 * when it closes.
 */
export function Dialog({
  title,
  onClose,
  children,
  role = 'dialog',
  description,
  wide = false,
  fullscreen = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** `alertdialog` for a question that interrupts (a confirmation). */
  role?: 'dialog' | 'alertdialog';
  description?: ReactNode;
  /** Room for an editor (a table of permissions), not just a question. */
  wide?: boolean;
  /** The whole window, dark (a lightbox). */
  fullscreen?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // The first focus goes where the dialog says (its safe choice), else to its first control, as browsers differ here.
    (
      dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>('button, input, select, textarea')
    )?.focus();
    return () => {
      if (dialog.open) dialog.close();
      restoreFocus(before);
    };
  }, []);
  return (
    <dialog
      ref={ref}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      // Escape: the browser would close the dialog itself; the owner unmounts it instead.
      onCancel={(e) => {
        // React bubbles a dialog's cancel to the dialog it was opened from, which stays open.
        if (e.target !== e.currentTarget) return;
        e.preventDefault();
        onClose();
      }}
      onKeyDown={wrapTab}
      className={
        fullscreen
          ? 'm-0 h-dvh max-h-none w-dvw max-w-none bg-zinc-950 p-0 text-zinc-100 backdrop:bg-black/80'
          : `m-auto ${wide ? 'max-h-[calc(100vh-2rem)] w-[min(48rem,calc(100vw-2rem))]' : 'w-[min(28rem,calc(100vw-2rem))]'} rounded-lg bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/60 dark:bg-zinc-800 dark:text-zinc-100`
      }
    >
      <div className={fullscreen ? 'flex h-full flex-col gap-2 p-3' : 'flex flex-col gap-4 p-5'}>
        <h2 id={titleId} className={fullscreen ? 'truncate text-base font-semibold' : 'text-lg font-semibold break-words'}>
          {title}
        </h2>
        {description && (
          <div id={descriptionId} className="text-sm text-zinc-700 dark:text-zinc-300">
            {description}
          </div>
        )}
        {children}
      </div>
    </dialog>
  );
}

/** Asks before doing something that cannot simply be undone; the safe choice has the focus first. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  busy = false,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog title={title} onClose={onClose} role="alertdialog" description={children}>
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose} data-autofocus>
          Cancel
        </Button>
        <Button variant="danger" busy={busy} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
