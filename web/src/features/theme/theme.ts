/** The appearance preference: stored per browser, applied as a `dark` class on <html> (Tailwind's dark: variant). */
export type ThemePreference = 'dark' | 'light' | 'system';

/** Keep in step with public/theme-init.js, which applies the theme before React starts. */
export const THEME_KEY = 'kamachat.theme';
export const DEFAULT_THEME: ThemePreference = 'dark';
const PREFERENCES: readonly ThemePreference[] = ['dark', 'light', 'system'];

export function loadTheme(storage: Storage): ThemePreference {
  try {
    const saved = storage.getItem(THEME_KEY);
    return PREFERENCES.includes(saved as ThemePreference) ? (saved as ThemePreference) : DEFAULT_THEME;
  } catch {
    return DEFAULT_THEME;
  }
}

export function saveTheme(storage: Storage, preference: ThemePreference): void {
  try {
    storage.setItem(THEME_KEY, preference);
  } catch {
    // Storage blocked (private mode quotas): the choice lasts for this page only.
  }
}

export function resolveTheme(preference: ThemePreference, systemPrefersDark: boolean): 'dark' | 'light' {
  if (preference === 'system') return systemPrefersDark ? 'dark' : 'light';
  return preference;
}

export function applyTheme(root: HTMLElement, theme: 'dark' | 'light'): void {
  root.classList.toggle('dark', theme === 'dark');
  root.style.colorScheme = theme;
}
