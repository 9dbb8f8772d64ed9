import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, unwrap } from '../../api/client';
import type { FriendRequestPrivacy, PrivacySettings, Relationship } from '../../api/types';
import { gatewayKeys } from '../gateway/context';
import type { Presences } from '../gateway/cache';

export const relationshipKeys = {
  /** Friends, requests both ways and blocks; kept current by RelationshipUpdated/Removed events. */
  list: ['relationships'] as const,
  privacy: ['privacy'] as const,
};

/** Adds or replaces one relationship in the loaded list (a RelationshipUpdated event, or our own answer). */
export function upsertRelationship(qc: QueryClient, relationship: Relationship) {
  qc.setQueryData<Relationship[]>(relationshipKeys.list, (old) => {
    if (!old) return old;
    const previous = old.find((r) => r.id === relationship.id);
    // Events carry no presence; keep what the list said until presence signals say more.
    const status = relationship.status ?? (relationship.type === 'friend' ? (previous?.status ?? null) : null);
    return [...old.filter((r) => r.id !== relationship.id), { ...relationship, status }];
  });
}

export function removeRelationship(qc: QueryClient, userId: string) {
  qc.setQueryData<Relationship[]>(relationshipKeys.list, (old) => old?.filter((r) => r.id !== userId));
}

export function useRelationships() {
  const qc = useQueryClient();
  return useQuery({
    queryKey: relationshipKeys.list,
    staleTime: Infinity,
    queryFn: async (): Promise<Relationship[]> => {
      const list = await unwrap(api.GET('/api/v1/users/@me/relationships'));
      // The list knows friends' presence now; later changes arrive as presence signals.
      const statuses = Object.fromEntries(list.filter((r) => r.status).map((r) => [r.id, r.status!]));
      qc.setQueryData<Presences>(gatewayKeys.presences, (old) => ({ ...statuses, ...old }));
      return list;
    },
  });
}

/** The ids of the people I blocked (their messages are collapsed). */
export function useBlockedIds(): ReadonlySet<string> {
  const { data } = useRelationships();
  return useMemo(() => new Set((data ?? []).filter((r) => r.type === 'blocked').map((r) => r.id)), [data]);
}

/** What I am to one user: friend, incoming, outgoing, blocked, or undefined for nothing. */
export function useRelationshipWith(userId: string | undefined) {
  const { data } = useRelationships();
  return data?.find((r) => r.id === userId);
}

export function useSendFriendRequestMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (username: string) => unwrap(api.POST('/api/v1/users/@me/relationships', { body: { username } })),
    onSuccess: (relationship) => upsertRelationship(qc, relationship),
  });
}

/** Accepts a request, asks someone from their profile (`friend`), or blocks them (`blocked`). */
export function useSetRelationshipMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, type }: { userId: string; type: 'friend' | 'blocked' }) =>
      unwrap(api.PUT('/api/v1/users/@me/relationships/{userId}', { params: { path: { userId } }, body: { type } })),
    onSuccess: (relationship) => upsertRelationship(qc, relationship),
  });
}

/** Declines, cancels, unfriends or unblocks. */
export function useRemoveRelationshipMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (userId: string) => {
      await unwrap(api.DELETE('/api/v1/users/@me/relationships/{userId}', { params: { path: { userId } } }));
      return userId;
    },
    onSuccess: (userId) => removeRelationship(qc, userId),
  });
}

export function usePrivacySettings() {
  return useQuery({
    queryKey: relationshipKeys.privacy,
    queryFn: () => unwrap(api.GET('/api/v1/users/@me/privacy')),
  });
}

export function useUpdatePrivacyMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { allowDmsFromServerMembers?: boolean; friendRequests?: FriendRequestPrivacy }) =>
      unwrap(
        api.PATCH('/api/v1/users/@me/privacy', {
          body: { allowDmsFromServerMembers: body.allowDmsFromServerMembers ?? null, friendRequests: body.friendRequests ?? null },
        }),
      ),
    // Shown at once (the controls are the settings' own state); the server's answer replaces it, a failure undoes it.
    onMutate: (body) => {
      const before = qc.getQueryData<PrivacySettings>(relationshipKeys.privacy);
      if (before) {
        const requests = body.friendRequests;
        qc.setQueryData<PrivacySettings>(relationshipKeys.privacy, {
          ...before,
          allowDmsFromServerMembers: body.allowDmsFromServerMembers ?? before.allowDmsFromServerMembers,
          friendRequests: requests
            ? {
                everyone: requests.everyone,
                friendsOfFriends: requests.everyone || requests.friendsOfFriends,
                serverMembers: requests.everyone || requests.serverMembers,
              }
            : before.friendRequests,
        });
      }
      return { before };
    },
    onError: (_error, _body, context) => qc.setQueryData(relationshipKeys.privacy, context?.before),
    onSuccess: (settings) => qc.setQueryData<PrivacySettings>(relationshipKeys.privacy, settings),
  });
}

/** One server's choice: allow or refuse its members' DMs, or `null` to follow the default again. */
export function useServerPrivacyMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ serverId, allowDms }: { serverId: string; allowDms: boolean | null }) =>
      allowDms === null
        ? unwrap(api.DELETE('/api/v1/users/@me/privacy/servers/{id}', { params: { path: { id: serverId } } }))
        : unwrap(api.PUT('/api/v1/users/@me/privacy/servers/{id}', { params: { path: { id: serverId } }, body: { allowDms } })),
    onMutate: ({ serverId, allowDms }) => {
      const before = qc.getQueryData<PrivacySettings>(relationshipKeys.privacy);
      if (before) {
        const others = before.servers.filter((s) => s.serverId !== serverId);
        qc.setQueryData<PrivacySettings>(relationshipKeys.privacy, {
          ...before,
          servers: allowDms === null ? others : [...others, { serverId, allowDms }],
        });
      }
      return { before };
    },
    onError: (_error, _body, context) => qc.setQueryData(relationshipKeys.privacy, context?.before),
    onSuccess: (settings) => qc.setQueryData<PrivacySettings>(relationshipKeys.privacy, settings),
  });
}
