import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../api/types';
import { activeTimeout, describeChange, describeEntry, formatEnd, reasonHeaders, removalNotice, timeoutEnd } from './moderation';

describe('moderation', () => {
  it('sends a reason percent-encoded in the audit header, and nothing for a blank one', () => {
    expect(reasonHeaders('  Spoilers, ünï  ')).toEqual({ 'X-Audit-Log-Reason': 'Spoilers%2C%20%C3%BCn%C3%AF' });
    expect(reasonHeaders('   ')).toEqual({});
  });

  it('counts a timeout as active only until its end', () => {
    const now = Date.parse('2026-11-30T14:00:00Z');
    const end = timeoutEnd(now, 60);
    expect(end).toBe('2026-11-30T14:01:00.000Z');
    expect(activeTimeout(end, now)?.toISOString()).toBe(end);
    expect(activeTimeout(end, now + 60_000)).toBeNull();
    expect(activeTimeout(null, now)).toBeNull();
  });

  it('shows a timeout ending today as a time, and a later one with its day', () => {
    const now = new Date(2026, 10, 30, 14, 0);
    expect(formatEnd(new Date(2026, 10, 30, 14, 32), now, 'en-GB')).toBe('14:32');
    expect(formatEnd(new Date(2026, 11, 2, 9, 5), now, 'en-GB')).toBe('Wed 09:05');
    expect(formatEnd(new Date(2026, 11, 20, 9, 5), now, 'en-GB')).toBe('20 Dec 09:05');
  });

  it('tells a kicked or banned user where they were removed from and why; leaving is no removal', () => {
    expect(removalNotice({ serverId: '1', reason: 'kicked', serverName: 'Knitting', moderatorReason: 'spoilers' })).toEqual({
      title: 'You were removed from Knitting',
      detail: 'Reason: spoilers',
    });
    expect(removalNotice({ serverId: '1', reason: 'banned', serverName: 'Knitting' })).toEqual({
      title: 'You were banned from Knitting',
      detail: null,
    });
    expect(removalNotice({ serverId: '1', reason: 'left', serverName: 'Knitting' })).toBeNull();
  });

  it('describes an entry by its actor, action and user target, and a change by its values', () => {
    const entry: AuditEntry = {
      id: '9',
      actorId: '1',
      action: 'member_kick',
      targetId: '2',
      reason: 'rude',
      changes: [{ key: 'name', old: 'general', new: 'rules' }],
      createdAt: '2026-11-30T14:00:00Z',
    };
    const users = new Map([
      ['1', 'ada'],
      ['2', 'bob'],
    ]);
    expect(describeEntry(entry, users)).toBe('ada: Kicked a member (bob)');
    expect(describeEntry({ ...entry, action: 'channel_create', targetId: '77' }, users)).toBe('ada: Created a channel');
    expect(describeChange(entry.changes[0]!)).toBe('name: general → rules');
    expect(describeChange({ key: 'topic', old: null, new: 'hi' })).toBe('topic: — → hi');
  });
});
