import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useSyncExternalStore } from 'react';
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
