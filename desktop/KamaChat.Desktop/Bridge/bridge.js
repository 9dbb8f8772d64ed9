// KamaChat Desktop's native bridge. The host adds it to every document before the page's own scripts run
// (Page.addScriptToEvaluateOnNewDocument) and answers calls made through a DevTools binding. The contract is
// web/src/platform/desktopBridge.ts; the host checks every call's origin, so this script holds no secrets.
(() => {
  'use strict';
  const binding = globalThis.__kamachatDesktopCall;
  if (typeof binding !== 'function' || globalThis.kamachatDesktop) return;
  if (!/^(https?|file):$/.test(location.protocol)) return;

  const pending = new Map();
  let nextId = 1;
  const call = (method, params = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    binding(JSON.stringify({ id, method, params }));
  });

  const emit = (name, detail, cancelable = false) =>
    window.dispatchEvent(new CustomEvent(`kamachat-desktop:${name}`, { detail, cancelable }));

  // Opens a path of the web client without reloading it: the client may take the event and route itself
  // (preventDefault); otherwise a history entry plus popstate lets the client's router follow.
  const navigate = (path) => {
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) return;
    if (!emit('navigate', { path }, true)) return;
    if (location.pathname + location.search === path) return;
    history.pushState(null, '', path);
    window.dispatchEvent(new PopStateEvent('popstate', { state: null }));
  };

  // The Web Notifications API, shown as native desktop notifications by the host. Beyond a browser's: `actions`
  // ({ action, title, background }) become the notification's buttons (a browser allows them only to a service
  // worker's), `requireInteraction` makes it urgent (critical, until acted on) and `data.category` names what it
  // is ("call.incoming"). A button's click reaches the `click` event with its `action`, like a NotificationEvent's.
  const notifications = new Map();
  const actionsOf = (actions) =>
    (Array.isArray(actions) ? actions : []).slice(0, 3).map((a) => ({
      action: String(a?.action ?? ''),
      title: String(a?.title ?? ''),
      background: Boolean(a?.background),
    }));
  class DesktopNotification extends EventTarget {
    static get permission() { return 'granted'; }
    static requestPermission(callback) {
      if (typeof callback === 'function') callback('granted');
      return Promise.resolve('granted');
    }
    static get maxActions() { return 3; }

    #id;
    constructor(title, options = {}) {
      super();
      this.title = String(title);
      this.body = options.body == null ? '' : String(options.body);
      this.tag = options.tag == null ? '' : String(options.tag);
      this.data = options.data ?? null;
      this.silent = Boolean(options.silent);
      this.requireInteraction = Boolean(options.requireInteraction);
      this.actions = Object.freeze(actionsOf(options.actions));
      this.onclick = this.onclose = this.onerror = this.onshow = null;
      const path = typeof this.data?.path === 'string' ? this.data.path : null;
      const category = typeof this.data?.category === 'string' ? this.data.category : null;
      this.#id = call('notify', {
        title: this.title, body: this.body, tag: this.tag, path, silent: this.silent,
        requireInteraction: this.requireInteraction, category, actions: this.actions,
      }).then(
        (id) => {
          if (id) notifications.set(id, this);
          this._fire('show');
          return id;
        },
        () => {
          this._fire('error');
          return 0;
        });
    }
    close() {
      void this.#id.then((id) => id && call('closeNotification', { id }));
    }
    _fire(type, action = '') {
      const event = new Event(type, { cancelable: true });
      Object.defineProperty(event, 'action', { value: action });
      this.dispatchEvent(event);
      const handler = this[`on${type}`];
      if (typeof handler === 'function') handler.call(this, event);
      return event;
    }
  }

  const events = {
    notificationclick({ id, path, tag = '', action = '' }) {
      const notification = notifications.get(id);
      // Like a browser: the click focuses the window (the host did) and goes to the page's handler. Unless
      // the handler calls preventDefault(), the app opens the conversation the notification named.
      if (notification) {
        if (!notification._fire('click', action).defaultPrevented && !action) navigate(path);
        return;
      }
      // Shown by the app's other page (the hidden one, while the window was closed): the client hears the button
      // through an event instead (cancelable, like navigate).
      if (action && !emit('notification-action', { action, tag, path }, true)) return;
      navigate(path);
    },
    notificationclose({ id }) {
      notifications.get(id)?._fire('close');
      notifications.delete(id);
    },
    navigate({ path }) { navigate(path); },
    'push-to-talk'(detail) { emit('push-to-talk', detail); },
    status(detail) { emit('status', detail); },
    mute(detail) { emit('mute', detail); },
    resume(detail) { emit('resume', detail); },
    tokens(detail) { emit('tokens', detail); },
  };

  Object.defineProperty(globalThis, '__kamachatDesktopDeliver', {
    value(message) {
      if (typeof message.reply === 'number') {
        const waiting = pending.get(message.reply);
        pending.delete(message.reply);
        if (!waiting) return;
        if (message.error) waiting.reject(new Error(message.error));
        else waiting.resolve(message.result ?? null);
        return;
      }
      events[message.event]?.(message.detail ?? {});
    },
  });

  Object.defineProperty(window, 'Notification', { value: DesktopNotification, configurable: true, writable: true });
  navigator.setAppBadge = (contents) => call('setBadge', { count: contents === undefined ? null : Number(contents) });
  navigator.clearAppBadge = () => call('setBadge', { count: 0 });

  Object.defineProperty(globalThis, 'kamachatDesktop', {
    value: Object.freeze({
      version: 1,
      platform: 'linux',
      tokenStorage: Object.freeze({
        get: () => call('tokenStorage.get'),
        set: (value) => call('tokenStorage.set', { value: String(value) }),
        clear: () => call('tokenStorage.clear'),
      }),
      setUnread: ({ unread = 0, mentions = 0 } = {}) => call('setUnread', { unread: Number(unread), mentions: Number(mentions) }),
      setTrayState: ({ status = 'online', notificationsMuted = false } = {}) =>
        call('setTrayState', { status: String(status), notificationsMuted: Boolean(notificationsMuted) }),
      pushToTalk: Object.freeze({
        get: () => call('pushToTalk.get'),
        set: (key) => call('pushToTalk.set', { key: key == null ? null : String(key) }),
      }),
      servers: Object.freeze({
        list: () => call('servers.list'),
        add: (address) => call('servers.add', { address: String(address) }),
        open: (origin) => call('servers.open', { origin: String(origin) }),
      }),
      navigate,
    }),
  });

  // The web client's configuration (web/src/api/config.ts), set before its script runs: the session's tokens live in
  // the OS keyring, one entry per server, never in the profile's localStorage. A page that brings its own wins.
  if (/^https?:$/.test(location.protocol) && !('__KAMACHAT_CONFIG__' in globalThis)) {
    const tokenStorage = Object.freeze({
      async load() {
        const stored = await call('tokenStorage.get');
        if (typeof stored !== 'string') return null;
        try {
          return JSON.parse(stored);
        } catch {
          return null;
        }
      },
      save: (tokens) => (tokens ? call('tokenStorage.set', { value: JSON.stringify(tokens) }) : call('tokenStorage.clear')),
      // The window and the hidden page share the entry: when one stores new tokens, the host tells the other.
      subscribe(onChange) {
        const listener = () => onChange();
        window.addEventListener('kamachat-desktop:tokens', listener);
        return () => window.removeEventListener('kamachat-desktop:tokens', listener);
      },
    });
    globalThis.__KAMACHAT_CONFIG__ = Object.freeze({ tokenStorage });
  }
})();
