import { useMemo } from 'react';
import type { MentionNames } from '../messages/Markdown';
import type { ReadyServer } from '../gateway/protocol';
import { useRoles } from './queries';

/** How a server's role and channel mentions read in its messages: the role's name and colour, the channel's name and link. */
export function useServerMentionNames(server: ReadyServer | undefined): Pick<MentionNames, 'roleOf' | 'channelOf'> {
  const serverId = server?.id ?? '';
  const { data: roles } = useRoles(serverId);
  const channels = server?.channels;
  return useMemo(
    () => ({
      roleOf: (id: string) => roles?.find((r) => r.id === id),
      channelOf: (id: string) => {
        const c = channels?.find((k) => k.id === id && k.type !== 'category');
        return c && { name: c.name ?? 'channel', path: `/servers/${serverId}/channels/${c.id}` };
      },
    }),
    [roles, channels, serverId],
  );
}
