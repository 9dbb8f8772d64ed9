import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useSyncExternalStore } from 'react';
import type { GatewayClient } from './connection';
import type { DmCalls, Presences, ReadStates, Typing, VoiceStates } from './cache';

/** The gateway's query keys: state that only the gateway feeds (Ready and events), never fetched over REST. */
export const gatewayKeys = {
  readStates: ['gateway', 'readStates'] as const,
  presences: ['gateway', 'presences'] as const,
  typing: (channelId: string) => ['typing', channelId] as const,
  voiceStates: ['gateway', 'voiceStates'] as const,
  calls: ['gateway', 'calls'] as const,
};

export const GatewayContext = createContext<GatewayClient | null>(null);

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

/** Last read message and mention count per channel. */
export const useReadStates = () => useCached<ReadStates>(gatewayKeys.readStates, {});
/** Status per user, for people we share a server or a DM with. */
export const usePresences = () => useCached<Presences>(gatewayKeys.presences, {});
/** Who is typing in a channel, and until when. */
export const useTyping = (channelId: string) => useCached<Typing>(gatewayKeys.typing(channelId), {});
/** Who is in which voice channel, by user id. */
export const useVoiceStates = () => useCached<VoiceStates>(gatewayKeys.voiceStates, {});
export const useDmCalls = () => useCached<DmCalls>(gatewayKeys.calls, {});

/** Most members a member list watches at once (the hub's limit). */
export const MAX_WATCHED = 200;

/**
 * Keeps the presence of the members a server's member list shows live (WatchPresences): in a large server presence
 * reaches only those who watch. The set is sent again when it changes (not its order), a moment after it settles.
 */
export function useWatchedPresences(serverId: string, userIds: string[]) {
  const gateway = useGateway();
  const key = [...new Set(userIds.slice(0, MAX_WATCHED))].sort().join(',');
  useEffect(() => {
    const timer = setTimeout(() => void gateway.watchPresences(serverId, key ? key.split(',') : []), 300);
    return () => clearTimeout(timer);
  }, [gateway, serverId, key]);
  useEffect(() => () => gateway.unwatchPresences(serverId), [gateway, serverId]);
}
