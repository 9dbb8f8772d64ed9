import { describe, expect, it } from 'vitest';
import type { Message } from '../../api/types';
import { appendNewer, applyWindowEvent, windowFromAround } from './messageWindow';

const message = (id: number, content = `m${id}`) =>
  ({ id: String(id), channelId: '1', content, author: { id: '9', username: 'ada' }, reactions: [], pinned: false }) as unknown as Message;
/** What `around=` answers for ids, newest first. */
const newestFirst = (...ids: number[]) => ids.sort((a, b) => b - a).map((id) => message(id));

describe('windowFromAround', () => {
  it('knows there is more on both sides when the server filled both halves', () => {
    // Page 4: two from the message on (20, 21), two older.
    const window = windowFromAround(newestFirst(18, 19, 20, 21), '20', 4);
    expect(window.messages.map((m) => m.id)).toEqual(['18', '19', '20', '21']);
    expect(window).toMatchObject({ hasMore: true, hasNewer: true });
  });

  it('knows it reaches the present when fewer newer messages came back', () => {
    const window = windowFromAround(newestFirst(17, 18, 19, 20), '20', 4);
    expect(window).toMatchObject({ hasMore: true, hasNewer: false });
  });

  it('knows it reaches the start of the channel', () => {
    const window = windowFromAround(newestFirst(1, 2, 3), '1', 4);
    expect(window).toMatchObject({ hasMore: false, hasNewer: true });
  });
});

describe('growing and patching a window', () => {
  it('adds newer pages at the end', () => {
    const window = appendNewer(windowFromAround(newestFirst(18, 19, 20, 21), '20', 4), newestFirst(22, 23), false);
    expect(window.messages.map((m) => m.id)).toEqual(['18', '19', '20', '21', '22', '23']);
    expect(window.hasNewer).toBe(false);
  });

  it('takes edits and deletions, but new messages only once it reaches the present', () => {
    const behind = windowFromAround(newestFirst(18, 19, 20, 21), '20', 4);
    expect(applyWindowEvent(behind, 'MessageCreated', message(99), undefined)).toBe(behind);
    const edited = applyWindowEvent(behind, 'MessageUpdated', message(20, 'new text'), undefined);
    expect(edited.messages.find((m) => m.id === '20')?.content).toBe('new text');
    expect(applyWindowEvent(behind, 'MessageDeleted', { id: '19' }, undefined).messages.map((m) => m.id)).toEqual(['18', '20', '21']);

    const present = windowFromAround(newestFirst(17, 18, 19, 20), '20', 4);
    expect(applyWindowEvent(present, 'MessageCreated', message(99), undefined).messages.map((m) => m.id)).toContain('99');
  });
});
