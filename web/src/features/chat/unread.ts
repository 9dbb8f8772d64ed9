import { compareIds } from '../gateway/messageStore';
import type { ReadStates } from '../gateway/cache';

export function unreadOf(channelId: string, lastMessageId: string | null, readStates: ReadStates) {
  const state = readStates[channelId];
  const unread = !!lastMessageId && (!state || compareIds(lastMessageId, state.lastReadMessageId) > 0);
  return { unread, mentions: state?.mentionCount ?? 0 };
}
