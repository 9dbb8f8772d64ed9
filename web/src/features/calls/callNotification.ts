import { desktopBridge, type DesktopNotificationAction } from '../../platform/desktopBridge';

/** What the person did with a ringing call's notification: a button, or the body (open the conversation). */
export type CallAnswer = 'accept' | 'decline' | 'open';

/** Accept opens the window (the desktop app brings it up); Decline is answered where the notification was shown. */
const desktopActions: DesktopNotificationAction[] = [
  { action: 'accept', title: 'Accept' },
  { action: 'decline', title: 'Decline', background: true },
];

const TAG_PREFIX = 'call-';

/** The tag of a ringing call's notification: one per conversation, and the desktop app hands a button back with it. */
export const callTag = (channelId: string) => TAG_PREFIX + channelId;

/** The conversation a call notification's tag names, or null for another notification. */
export const channelOfCallTag = (tag: string) => (tag.startsWith(TAG_PREFIX) ? tag.slice(TAG_PREFIX.length) : null);

export function answerOf(action: string | undefined): CallAnswer {
  return action === 'accept' || action === 'decline' ? action : 'open';
}

interface Surroundings {
  window: Pick<Window, 'addEventListener' | 'removeEventListener' | 'focus'>;
  document: Pick<Document, 'addEventListener' | 'removeEventListener' | 'hasFocus' | 'visibilityState'>;
  Notification: typeof Notification | undefined;
}

/**
 * Says that a call rings, as a notification, whenever the window does not have the focus: hidden, minimized,
 * behind another application, or the desktop app's hidden page while its window is closed. It is raised at once or
 * when the focus goes, and stays (requireInteraction) until the returned function withdraws it, which the caller does
 * once the call stops ringing for us (accepted, declined, given up, or answered on another device). A focused window
 * only shows its ringing card, as Discord does: the card and the ring already say it where the person is looking.
 */
export function notifyIncomingCall(
  call: { channelId: string; title: string; body: string },
  answer: (answer: CallAnswer) => void,
  surroundings: Surroundings = { window, document, Notification: globalThis.Notification },
): () => void {
  const { window: win, document: doc, Notification: Shown } = surroundings;
  let notification: Notification | null = null;
  const raise = () => {
    if (notification || !Shown || Shown.permission !== 'granted') return;
    if (doc.visibilityState === 'visible' && doc.hasFocus()) return;
    const options: NotificationOptions & { actions?: DesktopNotificationAction[] } = {
      body: call.body,
      tag: callTag(call.channelId),
      requireInteraction: true,
      icon: '/icons/icon-192.png',
      data: { path: `/channels/@me/${call.channelId}`, category: 'call.incoming' },
      // Buttons only where the desktop app shows them: a browser refuses actions outside a service worker.
      ...(desktopBridge() ? { actions: desktopActions } : {}),
    };
    try {
      notification = new Shown(call.title, options);
    } catch {
      // Only the service worker may show notifications here (Chrome on Android): the card and ring remain.
      return;
    }
    notification.onclick = (event) => {
      event.preventDefault();
      const chosen = answerOf((event as Event & { action?: string }).action);
      if (chosen !== 'decline') win.focus();
      answer(chosen);
    };
  };
  raise();
  win.addEventListener('blur', raise);
  doc.addEventListener('visibilitychange', raise);
  return () => {
    win.removeEventListener('blur', raise);
    doc.removeEventListener('visibilitychange', raise);
    notification?.close();
  };
}
