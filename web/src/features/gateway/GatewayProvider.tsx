import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { GatewayClient } from './connection';
import { GatewayContext, useConnectionStatus } from './context';

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

/**
 * "Connection lost" while away, then "Connection restored" for a moment. A reconnect that takes under 1.5 s
 * (the server closes a connection whose access token expired; the client comes straight back) shows nothing.
 */
export function ConnectionBanner() {
  const status = useConnectionStatus();
  const [lost, setLost] = useState(false);
  const [showRestored, setShowRestored] = useState(false);
  useEffect(() => {
    if (status === 'reconnecting') {
      const timer = setTimeout(() => setLost(true), 1500);
      return () => clearTimeout(timer);
    }
    if (!lost) return;
    setLost(false);
    setShowRestored(true);
    const timer = setTimeout(() => setShowRestored(false), 3000);
    return () => clearTimeout(timer);
  }, [status, lost]);
  if (status === 'reconnecting' && lost) {
    return (
      <div role="status" className="bg-amber-500 px-3 py-1 text-center text-sm font-medium text-black">
        Connection lost. Reconnecting…
      </div>
    );
  }
  if (showRestored) {
    return (
      <div role="status" className="bg-emerald-800 px-3 py-1 text-center text-sm font-medium text-white">
        Connection restored
      </div>
    );
  }
  return null;
}
