import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

/**
 * Asks before something that cannot be undone. A modal <dialog>: the browser keeps focus inside it and the page
 * behind inert, Escape cancels, and focus goes back to what opened it. Focus starts on Cancel, the safe choice.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      if (!opener?.isConnected) return;
      opener.focus();
      // An opener shown only on hover or focus (a message's actions) is hidden once the pointer left it for the
      // dialog: focus what holds it first, which shows it again.
      if (document.activeElement !== opener) {
        opener.parentElement?.closest<HTMLElement>('[tabindex]')?.focus();
        opener.focus();
      }
    };
  }, []);

  // The page behind is inert already; Tab wraps within the dialog instead of leaving for the browser's toolbar.
  const wrapTab = (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Tab') return;
    const buttons = [
      ...e.currentTarget.querySelectorAll<HTMLElement>('button:not([disabled]), [href], input, [tabindex]:not([tabindex="-1"])'),
    ];
    const first = buttons[0];
    const last = buttons[buttons.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      // Escape: the browser would close the dialog itself; the owner unmounts it instead.
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      // Closed by the browser some other way (its close watcher): the same as Cancel.
      onClose={onCancel}
      onKeyDown={wrapTab}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg bg-white p-5 text-zinc-900 shadow-xl backdrop:bg-black/60 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <h2 id={titleId} className="text-lg font-bold">
        {title}
      </h2>
      <div id={bodyId} className="mt-2 text-sm">
        {children}
      </div>
      <div className="mt-5 flex justify-end gap-2">
        <button type="button" autoFocus onClick={onCancel} className="rounded-md px-4 py-2 text-sm font-medium hover:underline">
          Cancel
        </button>
        <button
          type="button"
          onClick={onConfirm}
          className="rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800"
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
