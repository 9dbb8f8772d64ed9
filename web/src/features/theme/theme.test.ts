import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../test/memoryStorage';
import { applyTheme, DEFAULT_THEME, loadTheme, resolveTheme, saveTheme, THEME_KEY } from './theme';

describe('theme preference', () => {
  it('defaults to dark when nothing (or nonsense) is saved', () => {
    const storage = memoryStorage();
    expect(DEFAULT_THEME).toBe('dark');
    expect(loadTheme(storage)).toBe('dark');
    storage.setItem(THEME_KEY, 'purple');
    expect(loadTheme(storage)).toBe('dark');
  });

  it('persists the choice across loads', () => {
    const storage = memoryStorage();
    saveTheme(storage, 'light');
    expect(storage.getItem(THEME_KEY)).toBe('light');
    expect(loadTheme(storage)).toBe('light');
    saveTheme(storage, 'system');
    expect(loadTheme(storage)).toBe('system');
  });

  it('survives storage that throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    } as unknown as Storage;
    expect(() => saveTheme(broken, 'light')).not.toThrow();
    expect(loadTheme(broken)).toBe('dark');
  });

  it('resolves "system" from the OS preference', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('applies the theme as a class on the root element', () => {
    const root = document.createElement('html');
    applyTheme(root, 'dark');
    expect(root.classList.contains('dark')).toBe(true);
    expect(root.style.colorScheme).toBe('dark');
    applyTheme(root, 'light');
    expect(root.classList.contains('dark')).toBe(false);
    expect(root.style.colorScheme).toBe('light');
  });
});
