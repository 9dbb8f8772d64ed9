import type { ReadStates } from '../gateway/cache';
import { compareIds } from '../gateway/messageStore';

/** Whether a channel or DM has messages after the last one read, and how many of them mention us. */
export function unreadOf(channelId: string, lastMessageId: string | null, readStates: ReadStates) {
  const state = readStates[channelId];
  const unread = !!lastMessageId && (!state || compareIds(lastMessageId, state.lastReadMessageId) > 0);
  return { unread, mentions: state?.mentionCount ?? 0 };
}

/** What the app badge and the desktop tray show: conversations with unread messages, and how many call for us. */
export interface UnreadSummary {
  /** Channels and DMs with messages after the last one read. */
  unread: number;
  /** Mentions in server channels, plus one per unread DM (a DM is addressed to us, like a mention). */
  mentions: number;
}

export function unreadSummary(
  servers: readonly { channels: readonly { id: string; type: string; lastMessageId: string | null }[] }[],
  dms: readonly { id: string; lastMessageId: string | null }[],
  readStates: ReadStates,
): UnreadSummary {
  let unread = 0;
  let mentions = 0;
  for (const server of servers) {
    for (const channel of server.channels) {
      if (channel.type === 'category') continue;
      const state = unreadOf(channel.id, channel.lastMessageId, readStates);
      if (state.unread) unread++;
      mentions += state.mentions;
    }
  }
  for (const dm of dms) {
    const state = unreadOf(dm.id, dm.lastMessageId, readStates);
    if (!state.unread) continue;
    unread++;
    mentions += Math.max(1, state.mentions);
  }
  return { unread, mentions };
}
