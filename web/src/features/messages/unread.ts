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

interface Readable {
  id: string;
  author: { id: string };
  localState?: string;
}

/** A message someone else wrote after `marker`, and the server has (not one of my sends in flight). */
const isNewAfter = (m: Readable, marker: string, myId: string | undefined) =>
  !m.localState && m.author.id !== myId && compareIds(m.id, marker) > 0;

/**
 * Where the "New messages" divider goes: the first message after the read marker that someone else wrote, or -1.
 * `before` says the marker is older than every loaded message while older ones exist (the divider is further back).
 */
export function firstUnreadIndex(messages: readonly Readable[], marker: string | null | undefined, myId: string | undefined) {
  if (!marker) return { index: -1, before: false };
  const index = messages.findIndex((m) => isNewAfter(m, marker, myId));
  const oldest = messages.find((m) => !m.localState);
  return { index, before: !!oldest && compareIds(oldest.id, marker) > 0 };
}

/** How many loaded messages after `marker` others wrote (what "N new messages" counts). */
export function countAfter(messages: readonly Readable[], marker: string | null | undefined, myId: string | undefined) {
  if (!marker) return 0;
  return messages.filter((m) => isNewAfter(m, marker, myId)).length;
}

/** Whether a message calls for me: it names me, one of my roles, or everyone. */
export function mentionsMe(
  m: { mentions: readonly string[]; mentionRoles?: readonly string[]; mentionsEveryone: boolean },
  myId: string | undefined,
  myRoleIds: ReadonlySet<string>,
) {
  return m.mentionsEveryone || (!!myId && m.mentions.includes(myId)) || !!m.mentionRoles?.some((r) => myRoleIds.has(r));
}
