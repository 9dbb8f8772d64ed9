import { describe, expect, it } from 'vitest';
import { callLength, systemText } from './SystemLine';

const alice = { id: '1', username: 'alice', displayName: 'Alice', avatarUrl: null };

describe('call lines', () => {
  it('says who missed whose call and how long an answered one lasted', () => {
    expect(systemText({ kind: 'callMissed', author: alice, target: null, content: '' })).toBe('Missed call from Alice.');
    expect(systemText({ kind: 'callEnded', author: alice, target: null, content: '185' })).toBe(
      'Alice started a call that lasted 3 minutes.',
    );
  });

  it("welcomes a new member in the server's system channel", () => {
    expect(systemText({ kind: 'memberJoined', author: alice, target: null, content: '' })).toBe('Alice joined the server.');
  });

  it('counts seconds, minutes and hours as people say them', () => {
    expect(callLength(0)).toBe('0 seconds');
    expect(callLength(1)).toBe('1 second');
    expect(callLength(59.9)).toBe('59 seconds');
    expect(callLength(60)).toBe('1 minute');
    expect(callLength(3600)).toBe('1 hour');
    expect(callLength(3 * 3600 + 60)).toBe('3 hours 1 minute');
    expect(callLength(Number.NaN)).toBe('0 seconds');
  });
});
