import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { GatewayClient } from './connection';

const GatewayContext = createContext<GatewayClient | null>(null);

/** Keeps the gateway connected while the signed-in shell is shown. */
export function GatewayProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [client] = useState(() => new GatewayClient(qc));
  useEffect(() => {
    client.start();
    return () => void client.stop();
  }, [client]);
  return <GatewayContext.Provider value={client}>{children}</GatewayContext.Provider>;
}

export function useGateway(): GatewayClient {
  const client = useContext(GatewayContext);
  if (!client) throw new Error('useGateway outside GatewayProvider');
  return client;
}

export function useConnectionStatus() {
  const client = useGateway();
  return useSyncExternalStore(client.subscribe, client.getStatus);
}

/** Reads a value the gateway keeps in the query cache (no fetching: it is filled by Ready and events). */
export function useCached<T>(key: readonly unknown[], fallback: T): T {
  const qc = useQueryClient();
  const { data } = useQuery({ queryKey: key, queryFn: () => qc.getQueryData<T>(key) ?? fallback, staleTime: Infinity, gcTime: Infinity });
  return data ?? fallback;
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
