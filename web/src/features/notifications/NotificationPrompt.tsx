import { useState } from 'react';
import { desktopBridge } from '../../platform/desktopBridge';
import { trySubscribeToPush } from './push';

const DISMISSED_KEY = 'kamachat.notifications.promptDismissed';

const askable = () =>
  !desktopBridge() &&
  typeof Notification !== 'undefined' &&
  Notification.permission === 'default' &&
  localStorage.getItem(DISMISSED_KEY) === null;

/**
 * Asks to allow notifications at the moment it makes sense: the first time a direct message or a mention comes in
 * (or a DM is opened) while this browser has not been asked. Browsers require the request to come from a click,
 * hence a bar with a button rather than asking straight away. "Not now" is remembered on this device; the
 * notification settings keep a button for later.
 */
export function NotificationPrompt({ wanted }: { wanted: boolean }) {
  const [open, setOpen] = useState(askable);
  if (!open || !wanted) return null;
  const dismiss = () => {
    localStorage.setItem(DISMISSED_KEY, new Date().toISOString());
    setOpen(false);
  };
  return (
    <section
      aria-label="Desktop notifications"
      className="fixed right-4 bottom-4 z-40 flex max-w-sm flex-col gap-2 rounded-lg border border-zinc-300 bg-white p-4 shadow-xl dark:border-zinc-700 dark:bg-zinc-900"
    >
      <p className="text-sm">
        Get a notification, with a sound, when someone sends you a direct message or mentions you while KamaChat is in the background?
      </p>
      <div className="flex justify-end gap-2">
        <button type="button" onClick={dismiss} className="rounded-md px-3 py-1.5 text-sm hover:bg-zinc-200 dark:hover:bg-zinc-700">
          Not now
        </button>
        <button
          type="button"
          onClick={() =>
            void Notification.requestPermission().then((permission) => {
              if (permission === 'granted') trySubscribeToPush();
              dismiss();
            })
          }
          className="rounded-md bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-strong"
        >
          Enable notifications
        </button>
      </div>
    </section>
  );
}
