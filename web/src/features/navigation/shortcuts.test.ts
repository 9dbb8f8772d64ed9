import { describe, expect, it } from 'vitest';
import { shortcutFor } from './shortcuts';

const key = (key: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey' | 'defaultPrevented', boolean>> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  defaultPrevented: false,
  ...mods,
});

describe('app-wide shortcuts', () => {
  it('opens the switcher with Ctrl+K or Cmd+K, even over a dialog (it toggles)', () => {
    expect(shortcutFor(key('k', { ctrlKey: true }), false)).toEqual({ kind: 'switcher' });
    expect(shortcutFor(key('k', { metaKey: true }), true)).toEqual({ kind: 'switcher' });
    expect(shortcutFor(key('k'), false)).toBeNull();
  });

  it('moves with Alt+arrows, to unread ones with Shift', () => {
    expect(shortcutFor(key('ArrowDown', { altKey: true }), false)).toEqual({ kind: 'move', step: 1, unreadOnly: false });
    expect(shortcutFor(key('ArrowUp', { altKey: true, shiftKey: true }), false)).toEqual({ kind: 'move', step: -1, unreadOnly: true });
    expect(shortcutFor(key('ArrowUp'), false)).toBeNull();
  });

  it('leaves keys alone while a dialog is open or when something handled them', () => {
    expect(shortcutFor(key('Escape'), false)).toEqual({ kind: 'markRead' });
    expect(shortcutFor(key('Escape'), true)).toBeNull();
    expect(shortcutFor(key('Escape', { defaultPrevented: true }), false)).toBeNull();
    expect(shortcutFor(key('/', { ctrlKey: true }), false)).toEqual({ kind: 'sheet' });
    expect(shortcutFor(key('/', { ctrlKey: true }), true)).toBeNull();
  });
});
