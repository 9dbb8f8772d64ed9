import { useMemo } from 'react';
import type { ReadyServer } from '../gateway/protocol';
import { duringTimeout } from './permissions';
import { useMembers } from './queries';
import { useTimeoutEnd } from './useTimeoutEnd';

/**
 * The server as the user may act in it now: while a timeout holds them, without the moderation, sending and managing
 * it takes away. Ready and ServerView list what they hold apart from a timeout, and are not sent again when it ends,
 * so the timeout is applied here, from their member's end of it, and lifted on its own when that passes.
 */
export function useServerNow(server: ReadyServer | undefined, myId: string | undefined): ReadyServer | undefined {
  const { data: members } = useMembers(server?.id);
  const end = useTimeoutEnd(members?.find((m) => m.userId === myId)?.timedOutUntil);
  return useMemo(() => (server && end && server.ownerId !== myId ? duringTimeout(server) : server), [server, end, myId]);
}
