import { describe, expect, it } from 'vitest';
import { applyPatch, changes, fromServer, toggleMuted, withRule } from './settings';

describe('notification settings', () => {
  it('reads the server body defensively', () => {
    expect(
      fromServer({
        email: 'mentions',
        mutedServerIds: ['1', '2', '2'],
        desktopMuted: true,
        servers: [{ id: '1', level: 'all', muted: false, mutedUntil: null }],
        channels: [{ id: '5', level: 'loud', muted: true, mutedUntil: '2026-12-01T10:00:00Z' }, { level: 'all' }],
      }),
    ).toEqual({
      email: 'mentions',
      mutedServerIds: ['1', '2'],
      desktopMuted: true,
      servers: [{ id: '1', level: 'all', muted: false, mutedUntil: null }],
      channels: [{ id: '5', level: null, muted: true, mutedUntil: '2026-12-01T10:00:00Z' }],
    });
    expect(fromServer({ email: 'weird', mutedServerIds: [123] })).toEqual({
      email: 'all',
      mutedServerIds: ['123'],
      desktopMuted: false,
      servers: [],
      channels: [],
    });
    expect(fromServer(null)).toEqual({ email: 'all', mutedServerIds: [], desktopMuted: false, servers: [], channels: [] });
  });

  it('toggles a muted server', () => {
    expect(toggleMuted(['1', '2'], '2')).toEqual(['1']);
    expect(toggleMuted(['1'], '3')).toEqual(['1', '3']);
  });

  it('patches only what changed', () => {
    const before = { email: 'all' as const, mutedServerIds: ['1', '2'], desktopMuted: false, servers: [], channels: [] };
    expect(changes(before, { ...before })).toBeNull();
    expect(changes(before, { ...before, email: 'none', mutedServerIds: ['2', '1'] })).toEqual({ email: 'none' });
    expect(changes(before, { ...before, mutedServerIds: ['1'] })).toEqual({ mutedServerIds: ['1'] });
    expect(changes(before, { ...before, desktopMuted: true })).toEqual({ desktopMuted: true });
  });

  it('applies a patch over the current settings', () => {
    const current = { email: 'all' as const, mutedServerIds: ['1'], desktopMuted: false, servers: [], channels: [] };
    expect(applyPatch(current, { email: 'mentions' })).toEqual({ ...current, email: 'mentions' });
    expect(applyPatch(current, { mutedServerIds: [] })).toEqual({ ...current, mutedServerIds: [] });
    expect(applyPatch(current, { desktopMuted: true })).toEqual({ ...current, desktopMuted: true });
  });

  it('replaces one rule as the server will, dropping it when back at the defaults', () => {
    const current = {
      email: 'all' as const,
      mutedServerIds: [],
      desktopMuted: false,
      servers: [{ id: '1', level: 'all' as const, muted: false, mutedUntil: null }],
      channels: [],
    };
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(withRule(current, 'servers', '1', { level: 'all', muted: true, muteMinutes: 15 }, now).servers).toEqual([
      { id: '1', level: 'all', muted: true, mutedUntil: '2026-12-01T12:15:00.000Z' },
    ]);
    expect(withRule(current, 'servers', '1', { level: null, muted: false, muteMinutes: null }, now).servers).toEqual([]);
    expect(withRule(current, 'channels', '9', { level: 'nothing', muted: true, muteMinutes: null }, now).channels).toEqual([
      { id: '9', level: 'nothing', muted: true, mutedUntil: null },
    ]);
  });
});
