import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { DmChannel, Me } from '../../api/types';
import { upsertDm } from '../dms/queries';
import { serverKeys } from '../servers/queries';
import { settingsKeys } from '../servers/settings/queries';
import type { ReadyServer } from '../gateway/protocol';
import { userKeys } from '../users/queries';
import type { SquareCrop } from './crop';

/** The picture's bytes go as they are (the server sniffs the type); the crop rides in the query. */
const asBody = { bodySerializer: (file: unknown) => file as Blob, headers: { 'content-type': 'application/octet-stream' } };

export interface PictureUpload {
  file: File;
  crop: SquareCrop;
}

function useSetMe() {
  const queryClient = useQueryClient();
  return (me: Me) => {
    queryClient.setQueryData(userKeys.me, me);
    void queryClient.invalidateQueries({ queryKey: userKeys.profile(me.id) });
  };
}

export function useUploadAvatarMutation() {
  const setMe = useSetMe();
  return useMutation({
    mutationFn: ({ file, crop }: PictureUpload) =>
      unwrap(api.PUT('/api/v1/users/@me/avatar', { ...asBody, body: file as never, params: { query: crop } })),
    onSuccess: setMe,
  });
}

export function useRemoveAvatarMutation() {
  const setMe = useSetMe();
  return useMutation({ mutationFn: () => unwrap(api.DELETE('/api/v1/users/@me/avatar')), onSuccess: setMe });
}

function useSetServerIcon(serverId: string) {
  const queryClient = useQueryClient();
  // The gateway's ServerUpdated brings the same change to every member; this is for the uploader, at once.
  return ({ iconUrl }: { iconUrl?: string | null }) => {
    queryClient.setQueryData<ReadyServer[]>(serverKeys.list, (old) =>
      old?.map((s) => (s.id === serverId ? { ...s, iconUrl: iconUrl ?? null } : s)),
    );
    void queryClient.invalidateQueries({ queryKey: settingsKeys.server(serverId) });
  };
}

export function useUploadServerIconMutation(serverId: string) {
  const setIcon = useSetServerIcon(serverId);
  return useMutation({
    mutationFn: ({ file, crop }: PictureUpload) =>
      unwrap(api.PUT('/api/v1/servers/{id}/icon', { ...asBody, body: file as never, params: { path: { id: serverId }, query: crop } })),
    onSuccess: setIcon,
  });
}

export function useRemoveServerIconMutation(serverId: string) {
  const setIcon = useSetServerIcon(serverId);
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/servers/{id}/icon', { params: { path: { id: serverId } } })),
    onSuccess: setIcon,
  });
}

/** A group DM's icon, which any participant may set; the gateway's DmChannelUpdated brings it to the others. */
export function useUploadGroupIconMutation(channelId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ file, crop }: PictureUpload) =>
      unwrap(
        api.PUT('/api/v1/channels/{id}/group/icon', { ...asBody, body: file as never, params: { path: { id: channelId }, query: crop } }),
      ),
    onSuccess: (dm: DmChannel) => upsertDm(queryClient, dm),
  });
}

export function useRemoveGroupIconMutation(channelId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/channels/{id}/group/icon', { params: { path: { id: channelId } } })),
    onSuccess: (dm: DmChannel) => upsertDm(queryClient, dm),
  });
}
