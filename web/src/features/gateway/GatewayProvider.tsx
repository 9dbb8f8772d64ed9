import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { GatewayClient } from './connection';
import { GatewayContext, useGateway } from './context';

/** Keeps the gateway connected while the signed-in shell is shown; its state lives in this one client. */
export function GatewayProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [client] = useState(() => new GatewayClient(qc));
  useEffect(() => {
    client.start();
    return () => void client.stop();
  }, [client]);
  return (
    <GatewayContext.Provider value={client}>
      <NoticeProvider client={client}>{children}</NoticeProvider>
    </GatewayContext.Provider>
  );
}

/** Shown after this long reconnecting: a blip (an expired token's reconnect) passes unseen. */
const RECONNECTING_AFTER_MS = 1500;
/** After this long, the banner says the connection is lost and when the next attempt is. */
const LOST_AFTER_MS = 8000;

type Notice = 'reconnecting' | 'lost' | 'restored' | null;
const NoticeContext = createContext<Notice>(null);

/**
 * What the banner says: nothing, "reconnecting" once reconnecting has taken 1.5 s, "lost" after 8 s, then
 * "restored" for 3 s once back.
 */
function useConnectionNoticeState(client: GatewayClient): Notice {
  const [notice, setNotice] = useState<Notice>(null);
  useEffect(() => {
    let timers: ReturnType<typeof setTimeout>[] = [];
    let restoredTimer: ReturnType<typeof setTimeout> | undefined;
    let shown = false;
    const clear = () => {
      timers.forEach(clearTimeout);
      timers = [];
    };
    const onStatus = () => {
      if (client.getStatus() === 'reconnecting') {
        clearTimeout(restoredTimer);
        if (!shown) setNotice(null);
        if (!shown && timers.length === 0) {
          timers = [
            setTimeout(() => {
              shown = true;
              setNotice('reconnecting');
            }, RECONNECTING_AFTER_MS),
            setTimeout(() => setNotice('lost'), LOST_AFTER_MS),
          ];
        }
        return;
      }
      clear();
      if (!shown) return;
      shown = false;
      setNotice('restored');
      restoredTimer = setTimeout(() => setNotice(null), 3000);
    };
    onStatus();
    const unsubscribe = client.subscribe(onStatus);
    return () => {
      unsubscribe();
      clear();
      clearTimeout(restoredTimer);
    };
  }, [client]);
  return notice;
}

/** Whether what the gateway told us (presence above all) may be out of date: the connection has been gone a while. */
export function useConnectionStale() {
  const notice = useContext(NoticeContext);
  return notice === 'reconnecting' || notice === 'lost';
}

function NoticeProvider({ client, children }: { client: GatewayClient; children: ReactNode }) {
  return <NoticeContext.Provider value={useConnectionNoticeState(client)}>{children}</NoticeContext.Provider>;
}

/** Seconds until the next reconnect attempt, counting down; null while one is under way. */
function useSecondsToRetry(active: boolean) {
  const client = useGateway();
  const retryAt = useSyncExternalStore(client.subscribe, client.getRetryAt);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const tick = () => setNow(Date.now());
    // Read the clock again whenever the next attempt moves, so the count never starts from a stale "now".
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 500);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [active, retryAt]);
  if (retryAt === null || retryAt <= now) return null;
  return Math.ceil((retryAt - now) / 1000);
}

/**
 * "Reconnecting…" while away, "Connection lost — retrying in Ns" (with Retry now) once it lasts, then "Connection
 * restored" for a moment. A reconnect that takes under 1.5 s shows nothing.
 */
export function ConnectionBanner() {
  const client = useGateway();
  const notice = useContext(NoticeContext);
  const seconds = useSecondsToRetry(notice === 'lost');
  if (notice === 'reconnecting') {
    return (
      <div role="status" className="bg-amber-500 px-3 py-1 text-center text-sm font-medium text-black">
        Reconnecting…
      </div>
    );
  }
  if (notice === 'lost') {
    return (
      <div role="status" className="flex items-center justify-center gap-3 bg-red-700 px-3 py-1 text-sm font-medium text-white">
        <span>
          Connection lost — {seconds === null ? 'retrying now…' : `retrying in ${seconds}s`}
          <span className="sr-only">. Messages and presence may be out of date until it is back.</span>
        </span>
        <button
          type="button"
          onClick={() => client.retryNow()}
          className="rounded bg-white/20 px-2 py-0.5 text-xs font-semibold hover:bg-white/30"
        >
          Retry now
        </button>
      </div>
    );
  }
  if (notice === 'restored') {
    return (
      <div role="status" className="bg-emerald-800 px-3 py-1 text-center text-sm font-medium text-white">
        Connection restored
      </div>
    );
  }
  return null;
}
