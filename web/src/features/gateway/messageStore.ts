import type { Message } from '../../api/types';

/**
 * A message as the client holds it: the server's, or one of ours still on its way (pending), refused (failed, with why
 * when the reason is the recipient's), or waiting behind a refused one (held: sends to a channel go in order).
 */
export type ChatMessage = Message & { localState?: LocalState; localError?: string };
export type LocalState = 'pending' | 'failed' | 'held';

/** A channel's loaded history, oldest first; hasMore while older messages remain on the server. */
export interface MessagePage {
  messages: ChatMessage[];
  hasMore: boolean;
  /**
   * Newer messages than the loaded ones exist on the server: the history was opened at a message further back (a
   * link to it). Live messages are not added until the gap up to them is loaded, so no gap is ever shown as none.
   */
  hasNewer?: boolean;
}

/** Snowflakes compare by length, then text (no precision lost, unlike Number). */
export function compareIds(a: string, b: string) {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

const isLocal = (m: ChatMessage) => m.localState !== undefined;

function insertSorted(list: ChatMessage[], message: ChatMessage): ChatMessage[] {
  // Confirmed messages in id order; our own unconfirmed ones stay at the end.
  const confirmed = list.filter((m) => !isLocal(m));
  const local = list.filter(isLocal);
  let index = confirmed.length;
  while (index > 0 && compareIds(confirmed[index - 1]!.id, message.id) > 0) index--;
  confirmed.splice(index, 0, message);
  return [...confirmed, ...local];
}

/**
 * Adds a message from the server: replaces the one with the same id (a duplicate delivery), or our pending copy
 * with the same nonce (optimistic send confirmed), or inserts it in order.
 */
export function upsertMessage(page: MessagePage, message: Message): MessagePage {
  const byId = page.messages.findIndex((m) => m.id === message.id);
  if (byId >= 0) {
    const messages = [...page.messages];
    messages[byId] = message;
    return { ...page, messages };
  }
  const rest = message.nonce ? page.messages.filter((m) => !(isLocal(m) && m.nonce === message.nonce)) : page.messages;
  return { ...page, messages: insertSorted(rest, message) };
}

/** Replaces a message's content after an edit; ignores messages not loaded. */
export function updateMessage(page: MessagePage, message: Message): MessagePage {
  if (!page.messages.some((m) => m.id === message.id)) return page;
  return { ...page, messages: page.messages.map((m) => (m.id === message.id ? message : m)) };
}

export function removeMessage(page: MessagePage, id: string): MessagePage {
  if (!page.messages.some((m) => m.id === id)) return page;
  return { ...page, messages: page.messages.filter((m) => m.id !== id) };
}

export function addPending(page: MessagePage, message: ChatMessage): MessagePage {
  const rest = page.messages.filter((m) => !(isLocal(m) && m.nonce === message.nonce));
  return { ...page, messages: [...rest, { ...message, localState: 'pending' }] };
}

export function setLocalState(page: MessagePage, nonce: string, localState: LocalState, localError?: string): MessagePage {
  return {
    ...page,
    messages: page.messages.map((m) => {
      if (!isLocal(m) || m.nonce !== nonce) return m;
      const { localError: _previous, ...rest } = m;
      return localError === undefined ? { ...rest, localState } : { ...rest, localState, localError };
    }),
  };
}

export function applyReaction(
  page: MessagePage,
  r: { messageId: string; emoji: string; userId: string },
  added: boolean,
  myId: string | undefined,
): MessagePage {
  if (!page.messages.some((m) => m.id === r.messageId)) return page;
  const mine = r.userId === myId;
  return {
    ...page,
    messages: page.messages.map((m) => {
      if (m.id !== r.messageId) return m;
      const existing = m.reactions.find((x) => x.emoji === r.emoji);
      let reactions = m.reactions;
      if (added) {
        if (existing && mine && existing.me) return m; // ours, already counted (our own PUT answered first)
        reactions = existing
          ? m.reactions.map((x) => (x.emoji === r.emoji ? { ...x, count: x.count + 1, me: x.me || mine } : x))
          : [...m.reactions, { emoji: r.emoji, count: 1, me: mine }];
      } else {
        if (!existing || (mine && !existing.me)) return m;
        reactions = m.reactions
          .map((x) => (x.emoji === r.emoji ? { ...x, count: x.count - 1, me: mine ? false : x.me } : x))
          .filter((x) => x.count > 0);
      }
      return { ...m, reactions };
    }),
  };
}

export function setPinned(page: MessagePage, messageId: string, pinned: boolean): MessagePage {
  if (!page.messages.some((m) => m.id === messageId)) return page;
  return { ...page, messages: page.messages.map((m) => (m.id === messageId ? { ...m, pinned } : m)) };
}

/** Adds an older page (newest first, as the API sends it) before what is loaded. */
export function prependOlder(page: MessagePage, olderNewestFirst: Message[], hasMore: boolean): MessagePage {
  const known = new Set(page.messages.map((m) => m.id));
  const older = [...olderNewestFirst].reverse().filter((m) => !known.has(m.id));
  return { ...page, messages: [...older, ...page.messages], hasMore };
}

/** Adds a newer page (oldest first, as the API sends `after` pages) after what is loaded. */
export function appendNewer(page: MessagePage, newerOldestFirst: Message[], hasNewer: boolean): MessagePage {
  let next: MessagePage = { ...page, hasNewer };
  for (const m of newerOldestFirst) next = upsertMessage(next, m);
  return next;
}

/** Applies one channel event's data to a channel's loaded history. */
export function applyChannelEvent(page: MessagePage, type: string, data: unknown, myId: string | undefined): MessagePage {
  switch (type) {
    case 'MessageCreated':
      // Opened further back: the new message lies beyond the gap, and comes with the page that closes it.
      return page.hasNewer ? page : upsertMessage(page, data as Message);
    case 'MessageUpdated':
      return updateMessage(page, data as Message);
    case 'MessageDeleted':
      return removeMessage(page, (data as { id: string }).id);
    case 'ReactionAdded':
    case 'ReactionRemoved':
      return applyReaction(page, data as { messageId: string; emoji: string; userId: string }, type === 'ReactionAdded', myId);
    case 'MessagePinned':
    case 'MessageUnpinned':
      return setPinned(page, (data as { messageId: string }).messageId, type === 'MessagePinned');
    default:
      return page;
  }
}
