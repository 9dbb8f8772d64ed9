import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { DmChannel, Me } from '../../api/types';
import { upsertDm } from '../dms/queries';
import { serverKeys } from '../servers/queries';
import { settingsKeys } from '../servers/settings/queries';
import type { ReadyServer } from '../gateway/protocol';
import { userKeys } from '../users/queries';
import type { PictureCrop } from './crop';

/** The picture's bytes go as they are (the server sniffs the type); the crop rides in the query. */
const asBody = { bodySerializer: (file: unknown) => file as Blob, headers: { 'content-type': 'application/octet-stream' } };

export interface PictureUpload {
  file: File;
  crop: PictureCrop;
}

function useSetMe() {
  const queryClient = useQueryClient();
  return (me: Me) => {
    queryClient.setQueryData(userKeys.me, me);
    void queryClient.invalidateQueries({ queryKey: userKeys.profile(me.id) });
  };
}

/** The signed-in user's avatar or profile banner: the answer is the whole of Me; UserUpdated tells the others. */
export function useUploadMyPictureMutation(kind: 'avatar' | 'banner') {
  const setMe = useSetMe();
  return useMutation({
    mutationFn: ({ file, crop }: PictureUpload) =>
      unwrap(api.PUT(`/api/v1/users/@me/${kind}` as const, { ...asBody, body: file as never, params: { query: crop } })),
    onSuccess: setMe,
  });
}

export function useRemoveMyPictureMutation(kind: 'avatar' | 'banner') {
  const setMe = useSetMe();
  return useMutation({ mutationFn: () => unwrap(api.DELETE(`/api/v1/users/@me/${kind}` as const)), onSuccess: setMe });
}

function useSetServerPictures(serverId: string) {
  const queryClient = useQueryClient();
  // The gateway's ServerUpdated brings the same change to every member; this is for the uploader, at once.
  return ({ iconUrl, bannerUrl }: { iconUrl?: string | null; bannerUrl?: string | null }) => {
    queryClient.setQueryData<ReadyServer[]>(serverKeys.list, (old) =>
      old?.map((s) => (s.id === serverId ? { ...s, iconUrl: iconUrl ?? null, bannerUrl: bannerUrl ?? null } : s)),
    );
    void queryClient.invalidateQueries({ queryKey: settingsKeys.server(serverId) });
  };
}

/** A server's icon or banner (needs MANAGE_SERVER). */
export function useUploadServerPictureMutation(serverId: string, kind: 'icon' | 'banner') {
  const setPictures = useSetServerPictures(serverId);
  return useMutation({
    mutationFn: ({ file, crop }: PictureUpload) =>
      unwrap(
        api.PUT(`/api/v1/servers/{id}/${kind}` as const, {
          ...asBody,
          body: file as never,
          params: { path: { id: serverId }, query: crop },
        }),
      ),
    onSuccess: setPictures,
  });
}

export function useRemoveServerPictureMutation(serverId: string, kind: 'icon' | 'banner') {
  const setPictures = useSetServerPictures(serverId);
  return useMutation({
    mutationFn: () => unwrap(api.DELETE(`/api/v1/servers/{id}/${kind}` as const, { params: { path: { id: serverId } } })),
    onSuccess: setPictures,
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
