import { api, idParam, unwrap } from '../../api/client';

/** Opens (or finds) the DM with a user; resolves with its channel id. */
export async function openDm(userId: string): Promise<string> {
  const dm = await unwrap(api.POST('/api/v1/users/@me/channels', { body: { recipientId: idParam(userId), recipientIds: null, name: null } }));
  return dm.id;
}

export async function createGroupDm(userIds: string[], name: string | null): Promise<string> {
  const dm = await unwrap(api.POST('/api/v1/users/@me/group-channels', { body: { recipientIds: userIds.map(idParam), name } }));
  return dm.id;
}
