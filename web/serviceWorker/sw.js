// KamaChat's service worker (built into dist/sw.js by serviceWorker/vitePlugin.ts, which fills in the version and
// the list of files). What it does:
// - keeps the built client (scripts, styles, icons) in a cache, so it loads fast and works on a flaky network;
// - shows the offline page when a page of KamaChat cannot be loaded (no network, or the server is down);
// - shows a notification for a Web Push message and opens the conversation when it is clicked.
// The API and the gateway never go through it: they are always live.
const VERSION = '__KAMACHAT_VERSION__';
const PRECACHE = self.__KAMACHAT_PRECACHE__ ?? [];
const CACHE = `kamachat-${VERSION}`;
const OFFLINE_PAGE = '/offline.html';
const LIVE = /^\/(api|hubs|openapi|docs|healthz|readyz)(\/|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([OFFLINE_PAGE, ...PRECACHE])));
});

self.addEventListener('activate', (event) => {
  // The previous version's files go once no page uses it any more (a new version waits for that before activating).
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('kamachat-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || LIVE.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    // Pages always come from the server (so a new version shows at once); the offline page when it cannot answer.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_PAGE)));
    return;
  }
  // Built files have content-hashed names: a cached copy is always the right one.
  event.respondWith(
    caches.match(request).then(
      (cached) =>
        cached ??
        fetch(request).then((response) => {
          if (response.ok && url.pathname.startsWith('/assets/')) {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        }),
    ),
  );
});

/**
 * Web Push (the push delivery itself belongs to the server's push feature): a message's data is JSON
 * { title, body, tag, path }, shown as a notification that opens `path` (a path of the client) when clicked.
 */
self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : '' };
  }
  const path = typeof message.path === 'string' && message.path.startsWith('/') && !message.path.startsWith('//') ? message.path : '/';
  event.waitUntil(
    self.registration.showNotification(typeof message.title === 'string' ? message.title : 'KamaChat', {
      body: typeof message.body === 'string' ? message.body : '',
      tag: typeof message.tag === 'string' ? message.tag : undefined,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { path },
    }),
  );
});

// A notification shown through the worker (Web Push, or a page that could not show one itself): open its conversation
// in a window of ours, or in a new one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = event.notification.data?.path ?? '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (!open) return self.clients.openWindow(path);
      open.postMessage({ type: 'kamachat:navigate', path });
      return open.focus();
    }),
  );
});
