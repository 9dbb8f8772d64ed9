import { useEffect } from 'react';
import { useNavigate } from 'react-router';

/**
 * Registers the service worker (serviceWorker/sw.js): the installable app's offline page, cached static files, and
 * Web Push notifications. Production builds only: Vite's dev server serves modules a cache must not keep.
 */
export function registerServiceWorker() {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('KamaChat: no service worker', error));
}

/** A path of ours: absolute, on this origin. */
const isAppPath = (path: unknown): path is string => typeof path === 'string' && path.startsWith('/') && !path.startsWith('//');

/** Opens what the service worker asks for (a clicked Web Push notification names a conversation). */
export function useServiceWorkerNavigation() {
  const navigate = useNavigate();
  useEffect(() => {
    const worker = 'serviceWorker' in navigator ? navigator.serviceWorker : null;
    if (!worker) return;
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; path?: unknown } | null;
      if (data?.type === 'kamachat:navigate' && isAppPath(data.path)) void navigate(data.path);
    };
    worker.addEventListener('message', onMessage);
    return () => worker.removeEventListener('message', onMessage);
  }, [navigate]);
}
