import { describe, expect, it } from 'vitest';
import type { Message } from '../../api/types';
import { aMessage } from '../../test/messages';
import {
  addPending,
  appendNewer,
  applyChannelEvent,
  compareIds,
  prependOlder,
  setLocalState,
  upsertMessage,
  type MessagePage,
} from './messageStore';

function msg(id: string, extra: Partial<Message> = {}): Message {
  return aMessage({ id, author: { id: '7', username: 'ann', displayName: null, avatarUrl: null }, content: `m${id}`, ...extra });
}
const empty: MessagePage = { messages: [], hasMore: false };

describe('message store', () => {
  it('compares snowflakes without losing precision', () => {
    expect(compareIds('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(compareIds('99', '100')).toBeLessThan(0);
  });

  it('deduplicates a message delivered twice by its id', () => {
    let page = upsertMessage(empty, msg('100'));
    page = upsertMessage(page, msg('100'));
    page = applyChannelEvent(page, 'MessageCreated', msg('100'), '7');
    expect(page.messages.map((m) => m.id)).toEqual(['100']);
  });

  it('keeps messages in id order whatever order they arrive in', () => {
    let page = upsertMessage(empty, msg('300'));
    page = upsertMessage(page, msg('100'));
    page = upsertMessage(page, msg('200'));
    expect(page.messages.map((m) => m.id)).toEqual(['100', '200', '300']);
  });

  it('replaces our optimistic message with the server one carrying the same nonce', () => {
    let page = upsertMessage(empty, msg('100'));
    page = addPending(page, msg('pending:n1', { nonce: 'n1', content: 'hello' }));
    expect(page.messages[1]!.localState).toBe('pending');
    page = applyChannelEvent(page, 'MessageCreated', msg('200', { nonce: 'n1', content: 'hello' }), '7');
    expect(page.messages.map((m) => [m.id, m.localState])).toEqual([
      ['100', undefined],
      ['200', undefined],
    ]);
  });

  it('keeps a failed message, and a retry with the same nonce does not duplicate it', () => {
    let page = addPending(empty, msg('pending:n1', { nonce: 'n1' }));
    page = setLocalState(page, 'n1', 'failed');
    expect(page.messages[0]!.localState).toBe('failed');
    page = addPending(page, msg('pending:n1', { nonce: 'n1' }));
    expect(page.messages).toHaveLength(1);
    page = upsertMessage(page, msg('5', { nonce: 'n1' }));
    page = upsertMessage(page, msg('5', { nonce: 'n1' }));
    expect(page.messages.map((m) => m.id)).toEqual(['5']);
  });

  it('applies edits, deletes, reactions and pins', () => {
    let page = upsertMessage(empty, msg('1'));
    page = applyChannelEvent(page, 'MessageUpdated', msg('1', { content: 'edited', editedAt: '2026-01-01T00:01:00Z' }), '7');
    expect(page.messages[0]!.content).toBe('edited');
    page = applyChannelEvent(page, 'ReactionAdded', { messageId: '1', emoji: '👍', userId: '8' }, '7');
    page = applyChannelEvent(page, 'ReactionAdded', { messageId: '1', emoji: '👍', userId: '7' }, '7');
    expect(page.messages[0]!.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    page = applyChannelEvent(page, 'ReactionRemoved', { messageId: '1', emoji: '👍', userId: '7' }, '7');
    expect(page.messages[0]!.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
    page = applyChannelEvent(page, 'ReactionRemoved', { messageId: '1', emoji: '👍', userId: '8' }, '7');
    expect(page.messages[0]!.reactions).toEqual([]);
    page = applyChannelEvent(page, 'MessagePinned', { messageId: '1', channelId: '1' }, '7');
    expect(page.messages[0]!.pinned).toBe(true);
    page = applyChannelEvent(page, 'MessageDeleted', { id: '1', channelId: '1' }, '7');
    expect(page.messages).toEqual([]);
  });

  it('prepends an older page without duplicating the overlap', () => {
    let page: MessagePage = { messages: [msg('3'), msg('4')], hasMore: true };
    page = prependOlder(page, [msg('3'), msg('2'), msg('1')], false);
    expect(page.messages.map((m) => m.id)).toEqual(['1', '2', '3', '4']);
    expect(page.hasMore).toBe(false);
  });

  it('opened further back, takes no live message until the gap to it is loaded', () => {
    const jumped: MessagePage = { messages: [msg('100'), msg('101')], hasMore: true, hasNewer: true };
    // A new message would sit right after 101 with messages missing in between: it waits for the newer pages.
    let page = applyChannelEvent(jumped, 'MessageCreated', msg('500'), '7');
    expect(page.messages.map((m) => m.id)).toEqual(['100', '101']);
    // Edits of loaded messages still apply.
    page = applyChannelEvent(page, 'MessageUpdated', msg('101', { content: 'edited' }), '7');
    expect(page.messages[1]!.content).toBe('edited');

    page = appendNewer(page, [msg('102'), msg('103')], true);
    expect(page.hasNewer).toBe(true);
    page = appendNewer(page, [msg('104'), msg('500')], false);
    expect(page.messages.map((m) => m.id)).toEqual(['100', '101', '102', '103', '104', '500']);
    page = applyChannelEvent(page, 'MessageCreated', msg('501'), '7');
    expect(page.messages.at(-1)!.id).toBe('501');
    expect(prependOlder(page, [msg('99')], false)).toMatchObject({ hasMore: false, hasNewer: false });
  });
});
