import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { DmChannel } from '../../api/types';
import { compareIds } from '../gateway/messageStore';
import { displayName } from '../users/displayName';

export const dmKeys = {
  /** My DMs and group DMs, latest message first; kept current by gateway events. */
  list: ['dms'] as const,
};

export function sortDms(list: DmChannel[]) {
  return [...list].sort((a, b) => compareIds(b.lastMessageId ?? b.id, a.lastMessageId ?? a.id));
}

/** Adds or replaces a conversation in the loaded list (a DmChannelCreated/Updated event, or our own answer). */
export function upsertDm(qc: QueryClient, dm: DmChannel) {
  qc.setQueryData<DmChannel[]>(dmKeys.list, (old) => (old ? sortDms([...old.filter((x) => x.id !== dm.id), dm]) : old));
}

export function useDms() {
  return useQuery({
    queryKey: dmKeys.list,
    staleTime: Infinity,
    queryFn: async (): Promise<DmChannel[]> => sortDms(await unwrap(api.GET('/api/v1/users/@me/channels'))),
  });
}

/** Opens (or finds) the DM with a user; resolves with the conversation, already in the list. */
export function useOpenDmMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.POST('/api/v1/users/@me/channels', { body: { recipientId: userId, recipientIds: null, name: null } })),
    onSuccess: (dm) => upsertDm(qc, dm),
  });
}

export function useCreateGroupDmMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userIds, name }: { userIds: string[]; name: string | null }) =>
      unwrap(api.POST('/api/v1/users/@me/group-channels', { body: { recipientIds: userIds, name } })),
    onSuccess: (dm) => upsertDm(qc, dm),
  });
}

export function dmTitle(dm: DmChannel, myId: string | undefined) {
  if (dm.name) return dm.name;
  const others = dm.recipients.filter((r) => r.id !== myId);
  return (others.length ? others : dm.recipients).map((r) => displayName(r)).join(', ') || 'Direct message';
}

/** Renames a group DM or sets its icon ("" clears either); everyone in it gets DmChannelUpdated. */
export function useUpdateGroupMutation(channelId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name?: string; iconUrl?: string }) =>
      unwrap(
        api.PATCH('/api/v1/channels/{id}/group', {
          params: { path: { id: channelId } },
          body: { name: body.name ?? null, iconUrl: body.iconUrl ?? null },
        }),
      ),
    onSuccess: (dm) => upsertDm(qc, dm),
  });
}

/** Adds people to a group DM (its owner only), one request each; the gateway's DmChannelUpdated refreshes the list. */
export function useAddRecipientsMutation(channelId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (userIds: string[]) => {
      for (const userId of userIds)
        await unwrap(api.PUT('/api/v1/channels/{id}/recipients/{userId}', { params: { path: { id: channelId, userId } } }));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: dmKeys.list }),
  });
}

/** Removes someone from a group DM (the owner), or leaves it (anyone, with their own id). */
export function useRemoveRecipientMutation(channelId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.DELETE('/api/v1/channels/{id}/recipients/{userId}', { params: { path: { id: channelId, userId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: dmKeys.list }),
  });
}
