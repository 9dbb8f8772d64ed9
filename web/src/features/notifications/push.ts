import { api, unwrap } from '../../api/client';
import { desktopBridge } from '../../platform/desktopBridge';

/**
 * Web Push for this browser: DMs and mentions arrive through the service worker while no KamaChat tab is open (the
 * server pushes only to users with no live connection; an open tab, even hidden, shows its own pop-ups). Subscribes
 * with the server's VAPID key once notifications are allowed; the desktop app has its own native notifications.
 */

function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(value.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function sameKey(current: ArrayBuffer | null | undefined, wanted: Uint8Array): boolean {
  if (!current) return false;
  const bytes = new Uint8Array(current);
  return bytes.length === wanted.length && bytes.every((b, i) => b === wanted[i]);
}

async function registration(): Promise<ServiceWorkerRegistration | null> {
  if (desktopBridge() || !('serviceWorker' in navigator) || typeof PushManager === 'undefined') return null;
  return (await navigator.serviceWorker.getRegistration()) ?? null;
}

/** Subscribes (or refreshes the subscription) when notifications are allowed; quietly does nothing where push cannot work. */
export async function subscribeToPush(): Promise<void> {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const worker = await registration();
  if (!worker) return;
  const { publicKey } = await unwrap(api.GET('/api/v1/push/vapid-public-key'));
  const key = base64UrlToBytes(publicKey);
  let subscription = await worker.pushManager.getSubscription();
  // A subscription made for another server key (the server's keys changed) can never be pushed to.
  if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const json = subscription.toJSON();
  if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) return;
  await unwrap(
    api.POST('/api/v1/users/@me/push-subscriptions', {
      body: { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } },
    }),
  );
}

/** Signing out: this browser stops receiving the account's pushes. */
export async function unsubscribeFromPush(): Promise<void> {
  const subscription = await (await registration())?.pushManager.getSubscription();
  if (!subscription) return;
  await unwrap(api.DELETE('/api/v1/users/@me/push-subscriptions', { params: { query: { endpoint: subscription.endpoint } } })).catch(
    () => undefined,
  );
  await subscription.unsubscribe();
}

/** Where a subscription cannot be made (no push service reachable, a browser without one), pop-ups in open tabs still work. */
export function trySubscribeToPush(): void {
  subscribeToPush().catch((error: unknown) => console.info('KamaChat: no Web Push in this browser', error));
}
