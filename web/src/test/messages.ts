import type { Message } from '../api/types';

/** A message as the API sends it, with every field a test does not name at a plain default. */
export const aMessage = (over: Partial<Message> = {}): Message => ({
  id: '1',
  channelId: '1',
  author: { id: '2', username: 'bo', displayName: null, avatarUrl: null },
  content: '',
  kind: 'default',
  target: null,
  nonce: null,
  replyTo: null,
  mentions: [],
  mentionRoles: [],
  mentionsEveryone: false,
  createdAt: '2026-01-01T00:00:00Z',
  editedAt: null,
  pinned: false,
  reactions: [],
  attachments: [],
  embeds: [],
  embedsSuppressed: false,
  sequence: 1,
  ...over,
});
