/**
 * The contract between the web client and KamaChat Desktop (desktop/ in this repository).
 *
 * The desktop app shows this client in a Chromium app window and injects its bridge
 * (desktop/KamaChat.Desktop/Bridge/bridge.js) into every document before the client's own scripts run.
 * The host answers only documents from the server the window shows; elsewhere `window.kamachatDesktop`
 * is undefined and the client behaves as in any browser.
 *
 * Besides `window.kamachatDesktop`, the bridge implements two web platform APIs natively, so code written
 * for an installed web app (PWA) works unchanged in the desktop app:
 * - `new Notification(title, { body, tag, data: { path } })` shows a desktop notification
 *   (org.freedesktop.Notifications). `permission` is always 'granted'. Clicking it raises the window and fires
 *   the instance's `click` event; unless a handler calls `preventDefault()`, the app then opens `data.path`.
 *   The same `tag` replaces the earlier notification. The tray's "Mute notifications" drops them silently.
 *   Beyond a browser's: `actions: [{ action, title, background? }]` (at most 3; a browser allows them only to a
 *   service worker's notifications) become buttons; clicking one fires `click` with the event's `action` set (as a
 *   NotificationEvent has it). A `background` button (Decline) goes to the page that showed it and no window opens;
 *   the others (Accept) open the window first, and when another page of the app had shown the notification the
 *   window hears the button as the `notificationAction` event. `requireInteraction: true` makes it urgent
 *   (critical, until acted on), and `data.category` may say `'call.incoming'` (the freedesktop category hint).
 * - `navigator.setAppBadge(n)` / `navigator.setAppBadge()` / `navigator.clearAppBadge()` set the tray badge:
 *   a number counts mentions (DMs count as mentions), no number means "unread, no mentions", 0 or clear removes it.
 *
 * The bridge also configures the client before it starts (api/config.ts): unless the page already has one,
 * `window.__KAMACHAT_CONFIG__.tokenStorage` keeps the session's tokens (the refresh token above all) in the OS
 * keyring through `tokenStorage` below, never in the browser profile's localStorage.
 *
 * The host talks back with DOM events on `window` (names in `DesktopEventName`).
 */

/** Opaque per-server secret storage in the OS keyring (Secret Service). Meant for the refresh token. */
export interface DesktopTokenStorage {
  /** The stored value for this server, or null. Rejects when the keyring is unavailable or its prompt was dismissed. */
  get(): Promise<string | null>;
  /** Stores (replaces) the value for this server; at most 16 KiB. */
  set(value: string): Promise<void>;
  /** Removes it (sign-out). */
  clear(): Promise<void>;
}

/** The presences the tray offers (the gateway's SetPresence). */
export type DesktopStatus = 'online' | 'idle' | 'dnd' | 'invisible';

export interface DesktopPushToTalk {
  /** The configured key (X11 keysym with modifiers, e.g. "F8", "ctrl+grave") and whether global keys work here. */
  get(): Promise<{ key: string | null; available: boolean }>;
  /** Grabs the key globally (null releases it). `ok` is false when the key is unknown or another application holds it. */
  set(key: string | null): Promise<{ ok: boolean; key: string | null }>;
}

export interface KamaChatDesktopBridge {
  readonly version: 1;
  readonly platform: 'linux';
  readonly tokenStorage: DesktopTokenStorage;
  /** The tray badge in full: unread channels and mentions (the Badging API covers the usual cases). */
  setUnread(state: { unread: number; mentions: number }): Promise<void>;
  /**
   * What the tray menu shows as chosen: the presence, and whether pop-ups are muted (both are the server's). Called
   * once the gateway is connected (its Ready says the presence), and on every change; the host takes the first call
   * from a page as "this page's client is up" (the window's then takes over from the hidden page).
   */
  setTrayState(state: { status: DesktopStatus; notificationsMuted: boolean }): Promise<void>;
  readonly pushToTalk: DesktopPushToTalk;
  /** Opens a path of this client the way the host does (see the navigate event). */
  navigate(path: string): void;
}

/** Events the host dispatches on `window` (CustomEvent; `detail` as typed in `DesktopEventDetail`). */
export const DesktopEventName = {
  /** Open this path (a kamachat:// link, a clicked notification). Cancelable: call preventDefault() and route
   *  yourself; otherwise the bridge pushes a history entry and fires popstate, which React Router follows. */
  navigate: 'kamachat-desktop:navigate',
  /** The global push-to-talk key went down (pressed: true) or up, whichever application has the focus. */
  pushToTalk: 'kamachat-desktop:push-to-talk',
  /** The tray's status menu: set this presence (the gateway's SetPresence). */
  status: 'kamachat-desktop:status',
  /** The tray's "Mute notifications": mute (or unmute) pop-ups on every device (the notification settings). */
  mute: 'kamachat-desktop:mute',
  /** Another page of the app stored new tokens in the keyring: read them again (the token storage's subscribe). */
  tokens: 'kamachat-desktop:tokens',
  /** The machine woke from sleep or the network came back: reconnect the gateway now rather than at the next retry. */
  resume: 'kamachat-desktop:resume',
  /** A notification's button that another page of the app had shown (the hidden page, while the window was closed).
   *  Cancelable: call preventDefault() once handled; otherwise the bridge opens its path. */
  notificationAction: 'kamachat-desktop:notification-action',
} as const;

export interface DesktopEventDetail {
  [DesktopEventName.navigate]: { path: string };
  [DesktopEventName.pushToTalk]: { pressed: boolean };
  [DesktopEventName.status]: { status: DesktopStatus };
  [DesktopEventName.mute]: { muted: boolean };
  [DesktopEventName.tokens]: Record<string, never>;
  [DesktopEventName.resume]: { reason: 'sleep' | 'network' };
  [DesktopEventName.notificationAction]: { action: string; tag: string; path: string | null };
}

/** A notification's button in the desktop app (see the Notification notes above). */
export interface DesktopNotificationAction {
  action: string;
  title: string;
  /** Answered by the page that showed it, without opening the window. */
  background?: boolean;
}

declare global {
  interface Window {
    kamachatDesktop?: KamaChatDesktopBridge;
  }
}

/** The bridge when running inside KamaChat Desktop, else null. */
export function desktopBridge(target: Pick<Window, 'kamachatDesktop'> = window): KamaChatDesktopBridge | null {
  return target.kamachatDesktop ?? null;
}

/** Listens to one of the host's events; returns the function that stops listening. */
export function onDesktopEvent<K extends keyof DesktopEventDetail>(
  name: K,
  listener: (detail: DesktopEventDetail[K], event: CustomEvent<DesktopEventDetail[K]>) => void,
  target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window,
): () => void {
  const handler = (event: Event) => {
    const custom = event as CustomEvent<DesktopEventDetail[K]>;
    listener(custom.detail, custom);
  };
  target.addEventListener(name, handler);
  return () => target.removeEventListener(name, handler);
}
