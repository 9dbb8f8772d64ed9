import { describe, expect, it } from 'vitest';
import type { DmChannel, Message } from '../../api/types';
import type { ReadyServer } from '../gateway/protocol';
import { unreadSummary } from '../messages/unread';
import { aMessage } from '../../test/messages';
import { notificationFor, notificationText, type NotificationContext } from './messageNotification';

const me = '1';
const message = (over: Partial<Message> = {}): Message =>
  aMessage({
    id: '900',
    channelId: '50',
    author: { id: '2', username: 'bo', displayName: 'Bo', avatarUrl: null },
    content: 'hello there',
    ...over,
  });
const server: ReadyServer = {
  id: '10',
  name: 'Guild',
  iconUrl: null,
  ownerId: '2',
  channels: [{ id: '20', type: 'text', name: 'general', topic: null, parentId: null, position: 0, lastMessageId: null, permissions: '0' }],
};
const group: DmChannel = {
  id: '60',
  type: 'group_dm',
  name: 'Trip',
  iconUrl: null,
  ownerId: '2',
  recipients: [
    { id: '1', username: 'me', displayName: null, avatarUrl: null },
    { id: '2', username: 'bo', displayName: 'Bo', avatarUrl: null },
    { id: '3', username: 'cy', displayName: null, avatarUrl: null },
  ],
  lastMessageId: null,
};
const ctx = (over: Partial<NotificationContext> = {}): NotificationContext => ({
  myId: me,
  servers: [server],
  dms: [group],
  muted: false,
  status: 'online',
  viewing: null,
  ...over,
});

describe('message notifications', () => {
  it('pops up a direct message, tagged per conversation, leading to the message', () => {
    expect(notificationFor(message(), ctx())).toEqual({
      title: 'Bo',
      body: 'hello there',
      tag: 'channel:50',
      path: '/channels/@me/50/900',
    });
    expect(notificationFor(message({ channelId: '60' }), ctx())?.title).toBe('Bo (Trip)');
  });

  it('pops up a server message only when it mentions us', () => {
    expect(notificationFor(message({ channelId: '20' }), ctx())).toBeNull();
    expect(notificationFor(message({ channelId: '20', mentions: [me], content: `<@${me}> look` }), ctx({ nameOf: () => 'Me' }))).toEqual({
      title: 'Bo (#general, Guild)',
      body: '@Me look',
      tag: 'channel:20',
      path: '/servers/10/channels/20/900',
    });
    expect(notificationFor(message({ channelId: '20', mentionsEveryone: true }), ctx())).not.toBeNull();
  });

  it('names role and channel mentions as the message reads them', () => {
    const roleOf = (id: string) => (id === '30' ? { name: 'mods' } : undefined);
    const body = (content: string) => notificationFor(message({ content }), ctx({ roleOf }))?.body;
    expect(body('<@&30> see <#20>')).toBe('@mods see #general');
    expect(body('<@&31> see <#21>')).toBe('@deleted-role see #unknown-channel');
  });

  it('stays quiet for our own messages, the open conversation, a mute and Do Not Disturb', () => {
    expect(notificationFor(message({ author: { id: me, username: 'me', displayName: null, avatarUrl: null } }), ctx())).toBeNull();
    expect(notificationFor(message(), ctx({ viewing: '50' }))).toBeNull();
    expect(notificationFor(message(), ctx({ muted: true }))).toBeNull();
    expect(notificationFor(message(), ctx({ status: 'dnd' }))).toBeNull();
    expect(notificationFor(message(), ctx({ status: 'invisible' }))).not.toBeNull();
  });

  it('leaves a call’s missed and ended lines to the call’s own notification', () => {
    expect(notificationFor(message({ kind: 'callMissed', content: '' }), ctx())).toBeNull();
    expect(notificationFor(message({ kind: 'callEnded', content: '42' }), ctx())).toBeNull();
  });

  it('says what a system line is about, not its bare content', () => {
    const cy = { id: '3', username: 'cy', displayName: 'Cy', avatarUrl: null };
    const added = notificationFor(message({ channelId: '60', kind: 'recipientAdded', content: '', target: cy }), ctx());
    expect(added).toMatchObject({ title: 'Bo (Trip)', body: 'Bo added Cy to the group.' });
    const renamed = notificationFor(message({ channelId: '60', kind: 'channelNameChanged', content: 'Trip' }), ctx());
    expect(renamed?.body).toBe('Bo renamed the group to Trip.');
  });

  it('shortens long text and names unknown mentions plainly', () => {
    expect(notificationText('a\n\n  b <@77>')).toBe('a b @someone');
    const long = notificationText('x'.repeat(500));
    expect(long).toHaveLength(180);
    expect(long.endsWith('…')).toBe(true);
    expect(notificationFor(message({ content: '', attachments: [{} as Message['attachments'][number]] }), ctx())?.body).toBe(
      'Sent an attachment',
    );
  });
});

describe('unread summary', () => {
  const withLast = (last: string): ReadyServer => ({ ...server, channels: [{ ...server.channels[0]!, lastMessageId: last }] });

  it('counts unread conversations, server mentions, and unread DMs as mentions', () => {
    const readStates = {
      '20': { channelId: '20', lastReadMessageId: '5', mentionCount: 2 },
      '50': { channelId: '50', lastReadMessageId: '8', mentionCount: 0 },
    };
    expect(unreadSummary([withLast('9')], [{ id: '50', lastMessageId: '9' }], readStates)).toEqual({ unread: 2, mentions: 3 });
    const read = { ...readStates, '20': { channelId: '20', lastReadMessageId: '9', mentionCount: 0 } };
    expect(unreadSummary([withLast('9')], [{ id: '50', lastMessageId: '8' }], read)).toEqual({ unread: 0, mentions: 0 });
    expect(unreadSummary([], [], {})).toEqual({ unread: 0, mentions: 0 });
  });

  it('follows per-server and per-channel levels and mutes, the channel first', () => {
    const rule = (id: string, level: 'all' | 'mentions' | 'nothing' | null, muted = false, mutedUntil: string | null = null) => ({
      id,
      level,
      muted,
      mutedUntil,
    });
    const now = Date.parse('2026-12-01T12:00:00Z');
    const chatter = message({ channelId: '20', content: 'just chatting' });
    const mention = message({ channelId: '20', content: `hey <@${me}>`, mentions: [me] });
    const inServer = (servers: ReturnType<typeof rule>[], channels: ReturnType<typeof rule>[]) =>
      ctx({ rules: { servers, channels }, now });

    expect(notificationFor(chatter, inServer([], []))).toBeNull();
    expect(notificationFor(chatter, inServer([rule('10', 'all')], []))).not.toBeNull();
    expect(notificationFor(mention, inServer([rule('10', 'all')], [rule('20', 'nothing')]))).toBeNull();
    expect(notificationFor(chatter, inServer([rule('10', 'nothing')], [rule('20', 'all')]))).not.toBeNull();
    expect(notificationFor(mention, inServer([rule('10', null, true, '2026-12-01T12:15:00Z')], []))).toBeNull();
    expect(notificationFor(mention, inServer([rule('10', null, true, '2026-12-01T11:59:00Z')], []))).not.toBeNull();
    expect(notificationFor(mention, inServer([], [rule('20', null, true, null)]))).toBeNull();
    const dm = message({ channelId: '60', content: 'psst' });
    expect(notificationFor(dm, inServer([], [rule('60', 'mentions')]))).toBeNull();
    expect(notificationFor(dm, inServer([], []))).not.toBeNull();
  });
});
