import { describe, expect, it } from 'vitest';
import { applyPatch, changes, fromServer, toggleMuted } from './settings';

describe('notification settings', () => {
  it('reads the server body defensively', () => {
    expect(fromServer({ email: 'mentions', mutedServerIds: ['1', '2', '2'] })).toEqual({ email: 'mentions', mutedServerIds: ['1', '2'] });
    expect(fromServer({ email: 'weird', mutedServerIds: [123] })).toEqual({ email: 'all', mutedServerIds: ['123'] });
    expect(fromServer(null)).toEqual({ email: 'all', mutedServerIds: [] });
  });

  it('toggles a muted server', () => {
    expect(toggleMuted(['1', '2'], '2')).toEqual(['1']);
    expect(toggleMuted(['1'], '3')).toEqual(['1', '3']);
  });

  it('patches only what changed', () => {
    const before = { email: 'all' as const, mutedServerIds: ['1', '2'] };
    expect(changes(before, { ...before })).toBeNull();
    expect(changes(before, { email: 'none', mutedServerIds: ['2', '1'] })).toEqual({ email: 'none' });
    expect(changes(before, { email: 'all', mutedServerIds: ['1'] })).toEqual({ mutedServerIds: ['1'] });
  });

  it('applies a patch over the current settings', () => {
    const current = { email: 'all' as const, mutedServerIds: ['1'] };
    expect(applyPatch(current, { email: 'mentions' })).toEqual({ email: 'mentions', mutedServerIds: ['1'] });
    expect(applyPatch(current, { mutedServerIds: [] })).toEqual({ email: 'all', mutedServerIds: [] });
  });
});
