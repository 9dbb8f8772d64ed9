import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
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
  return <GatewayContext.Provider value={client}>{children}</GatewayContext.Provider>;
}

/** What the banner says: nothing, "lost" once reconnecting has taken 1.5 s, then "restored" for 3 s. */
function useConnectionNotice(): 'lost' | 'restored' | null {
  const client = useGateway();
  const [notice, setNotice] = useState<'lost' | 'restored' | null>(null);
  useEffect(() => {
    let lostTimer: ReturnType<typeof setTimeout> | undefined;
    let restoredTimer: ReturnType<typeof setTimeout> | undefined;
    let lost = false;
    const onStatus = () => {
      if (client.getStatus() === 'reconnecting') {
        clearTimeout(restoredTimer);
        if (!lost) setNotice(null);
        if (!lost && lostTimer === undefined) {
          lostTimer = setTimeout(() => {
            lost = true;
            setNotice('lost');
          }, 1500);
        }
        return;
      }
      clearTimeout(lostTimer);
      lostTimer = undefined;
      if (!lost) return;
      lost = false;
      setNotice('restored');
      restoredTimer = setTimeout(() => setNotice(null), 3000);
    };
    onStatus();
    const unsubscribe = client.subscribe(onStatus);
    return () => {
      unsubscribe();
      clearTimeout(lostTimer);
      clearTimeout(restoredTimer);
    };
  }, [client]);
  return notice;
}

/**
 * "Connection lost" while away, then "Connection restored" for a moment. A reconnect that takes under 1.5 s
 * (the server closes a connection whose access token expired; the client comes straight back) shows nothing.
 */
export function ConnectionBanner() {
  const notice = useConnectionNotice();
  if (notice === 'lost') {
    return (
      <div role="status" className="bg-amber-500 px-3 py-1 text-center text-sm font-medium text-black">
        Connection lost. Reconnecting…
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
