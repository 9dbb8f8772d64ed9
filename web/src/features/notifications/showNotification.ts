import type { MessageNotification } from './messageNotification';

/** Whether pop-ups can be shown now without asking (the desktop app's are always allowed). */
export function notificationsAllowed(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted';
}

/**
 * Shows a pop-up through the Notifications API: in a browser or an installed web app the browser's own, in the
 * desktop app a native one (its bridge implements the same API). Clicking it brings the window forward and opens
 * the message.
 */
export async function showNotification(n: MessageNotification, open: (path: string) => void): Promise<void> {
  if (!notificationsAllowed()) return;
  const options: NotificationOptions = { body: n.body, tag: n.tag, data: { path: n.path }, icon: '/icons/icon-192.png' };
  try {
    const notification = new Notification(n.title, options);
    notification.onclick = (event) => {
      // Ours to handle (the desktop app would otherwise open the path itself).
      event.preventDefault();
      window.focus();
      open(n.path);
      notification.close();
    };
  } catch {
    // Some browsers (Chrome on Android) show notifications only through the service worker; it handles the click.
    const registration = await navigator.serviceWorker?.getRegistration();
    await registration?.showNotification(n.title, options);
  }
}
