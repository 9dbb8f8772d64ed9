/** What each keyboard shortcut does, for the sheet (Ctrl+/) and the README. */
export const SHORTCUTS: { keys: string[]; does: string }[] = [
  { keys: ['Ctrl+K', '⌘K'], does: 'Find a server, channel, conversation or person' },
  { keys: ['Alt+↑', 'Alt+↓'], does: 'Previous or next channel (or conversation)' },
  { keys: ['Alt+Shift+↑', 'Alt+Shift+↓'], does: 'Previous or next unread channel' },
  { keys: ['Esc'], does: 'Mark the channel as read' },
  { keys: ['↑'], does: 'Edit your last message (in an empty message box)' },
  { keys: ['Shift+Enter'], does: 'New line in a message' },
  { keys: ['Ctrl+/'], does: 'Show these shortcuts' },
];

export type ShortcutAction =
  { kind: 'switcher' } | { kind: 'sheet' } | { kind: 'move'; step: 1 | -1; unreadOnly: boolean } | { kind: 'markRead' };

/** The app-wide shortcut a key press means, or null; keys a dialog or a field handled already do nothing here. */
export function shortcutFor(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey' | 'defaultPrevented'>,
  dialogOpen: boolean,
) {
  if (e.defaultPrevented) return null;
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.altKey && (e.key === 'k' || e.key === 'K')) return { kind: 'switcher' } as const;
  if (dialogOpen) return null;
  if (mod && !e.altKey && e.key === '/') return { kind: 'sheet' } as const;
  if (e.altKey && !mod && (e.key === 'ArrowUp' || e.key === 'ArrowDown'))
    return { kind: 'move', step: e.key === 'ArrowUp' ? -1 : 1, unreadOnly: e.shiftKey } as const;
  if (e.key === 'Escape' && !mod && !e.altKey && !e.shiftKey) return { kind: 'markRead' } as const;
  return null;
}
