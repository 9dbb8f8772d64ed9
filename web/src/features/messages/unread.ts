import type { ReadStates } from '../gateway/cache';
import { compareIds } from '../gateway/messageStore';

/** Whether a channel or DM has messages after the last one read, and how many of them mention us. */
export function unreadOf(channelId: string, lastMessageId: string | null, readStates: ReadStates) {
  const state = readStates[channelId];
  const unread = !!lastMessageId && (!state || compareIds(lastMessageId, state.lastReadMessageId) > 0);
  return { unread, mentions: state?.mentionCount ?? 0 };
}
