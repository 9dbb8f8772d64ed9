import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import type { Channel } from '../../../api/types';
import type { ReadyServer } from '../../gateway/protocol';
import { auditKeys, serverKeys } from '../queries';
import { removeServer, updateChannel, updateServer } from '../serverList';

/** The settings view's own data: the server's details, bans, invites and a channel's permission overwrites. */
export const settingsKeys = {
  server: (serverId: string) => ['servers', serverId] as const,
  bans: (serverId: string) => ['bans', serverId] as const,
  invites: (serverId: string) => ['invites', serverId] as const,
  overwrites: (channelId: string) => ['overwrites', channelId] as const,
  channel: (channelId: string) => ['channel', channelId] as const,
};

export type OverwriteTargetType = 'role' | 'member';
export interface Overwrite {
  targetType: OverwriteTargetType;
  targetId: string;
  allow: string;
  deny: string;
}

export function useServerInfo(serverId: string) {
  return useQuery({
    queryKey: settingsKeys.server(serverId),
    queryFn: () => unwrap(api.GET('/api/v1/servers/{id}', { params: { path: { id: serverId } } })),
  });
}

/** A partial update: what is left undefined stays; "" clears description, icon or system channel. */
export function useUpdateServerMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name?: string; description?: string; iconUrl?: string; systemChannelId?: string }) =>
      unwrap(
        api.PATCH('/api/v1/servers/{id}', {
          params: { path: { id: serverId } },
          body: {
            name: body.name ?? null,
            description: body.description ?? null,
            iconUrl: body.iconUrl ?? null,
            systemChannelId: body.systemChannelId ?? null,
          },
        }),
      ),
    onSuccess: (server) => {
      qc.setQueryData(settingsKeys.server(serverId), server);
      qc.setQueryData<ReadyServer[]>(serverKeys.list, (old) => (old ? updateServer(old, server) : old));
      void qc.invalidateQueries({ queryKey: auditKeys.all(serverId) });
    },
  });
}

export function useTransferServerMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ newOwnerId, password }: { newOwnerId: string; password: string }) =>
      unwrap(api.POST('/api/v1/servers/{id}/transfer', { params: { path: { id: serverId } }, body: { newOwnerId, password } })),
    onSuccess: (server) => {
      qc.setQueryData(settingsKeys.server(serverId), server);
      qc.setQueryData<ReadyServer[]>(serverKeys.list, (old) => (old ? updateServer(old, server) : old));
    },
  });
}

export function useDeleteServerMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (confirmName: string) =>
      unwrap(api.DELETE('/api/v1/servers/{id}', { params: { path: { id: serverId } }, body: { confirmName } })),
    onSuccess: () => qc.setQueryData<ReadyServer[]>(serverKeys.list, (old) => (old ? removeServer(old, serverId) : old)),
  });
}

export function useBans(serverId: string) {
  return useQuery({
    queryKey: settingsKeys.bans(serverId),
    queryFn: () => unwrap(api.GET('/api/v1/servers/{id}/bans', { params: { path: { id: serverId } } })),
  });
}

export function useUnbanMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.DELETE('/api/v1/servers/{id}/bans/{userId}', { params: { path: { id: serverId, userId } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: settingsKeys.bans(serverId) });
      void qc.invalidateQueries({ queryKey: auditKeys.all(serverId) });
    },
  });
}

export function useInvites(serverId: string, enabled: boolean) {
  return useQuery({
    queryKey: settingsKeys.invites(serverId),
    enabled,
    queryFn: () => unwrap(api.GET('/api/v1/servers/{id}/invites', { params: { path: { id: serverId } } })),
  });
}

export function useRevokeInviteMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.DELETE('/api/v1/invites/{code}', { params: { path: { code } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: settingsKeys.invites(serverId) });
      void qc.invalidateQueries({ queryKey: auditKeys.all(serverId) });
    },
  });
}

/** The channel as the API has it (Ready leaves out slow mode). */
export function useChannel(channelId: string) {
  return useQuery({
    queryKey: settingsKeys.channel(channelId),
    queryFn: () => unwrap(api.GET('/api/v1/channels/{id}', { params: { path: { id: channelId } } })),
  });
}

export function useUpdateChannelMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      channelId,
      ...body
    }: {
      channelId: string;
      name?: string;
      topic?: string;
      slowModeSeconds?: number;
      userLimit?: number;
    }) =>
      unwrap(
        api.PATCH('/api/v1/channels/{id}', {
          params: { path: { id: channelId } },
          body: {
            name: body.name ?? null,
            topic: body.topic ?? null,
            slowModeSeconds: body.slowModeSeconds ?? null,
            userLimit: body.userLimit ?? null,
            parentId: null,
          },
        }),
      ),
    onSuccess: (channel) => {
      qc.setQueryData(settingsKeys.channel(channel.id), channel);
      qc.setQueryData<ReadyServer[]>(serverKeys.list, (old) => (old ? updateChannel(old, channel) : old));
    },
  });
}

/** Moves channels: each gets its position within its category, and its category ("0" for none). */
export function useReorderChannelsMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (positions: { id: string; position: number; parentId: string }[]) =>
      unwrap(api.PATCH('/api/v1/servers/{id}/channels/positions', { params: { path: { id: serverId } }, body: positions })),
    onSuccess: (channels: Channel[]) =>
      qc.setQueryData<ReadyServer[]>(serverKeys.list, (old) => (old ? channels.reduce(updateChannel, old) : old)),
  });
}

export function useOverwrites(channelId: string) {
  return useQuery({
    queryKey: settingsKeys.overwrites(channelId),
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/channels/{id}/permissions', { params: { path: { id: channelId } } }))) as Overwrite[],
  });
}

/** Sets (allow and deny both "0": removes) one overwrite; the ChannelUpdated event tells everyone to look again. */
export function useSetOverwriteMutation(channelId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ targetType, targetId, allow, deny }: Overwrite) => {
      const path = { params: { path: { id: channelId, targetType, targetId } } };
      if (allow === '0' && deny === '0') {
        const known = qc.getQueryData<Overwrite[]>(settingsKeys.overwrites(channelId));
        if (known && !known.some((o) => o.targetType === targetType && o.targetId === targetId)) return;
        await unwrap(api.DELETE('/api/v1/channels/{id}/permissions/{targetType}/{targetId}', path));
      } else {
        await unwrap(api.PUT('/api/v1/channels/{id}/permissions/{targetType}/{targetId}', { ...path, body: { allow, deny } }));
      }
    },
    onSettled: () => qc.invalidateQueries({ queryKey: settingsKeys.overwrites(channelId) }),
  });
}
