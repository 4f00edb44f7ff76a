/** Light/dark theme: 'system' follows the OS; the choice is kept in localStorage (read before first paint). */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'llm-lab-theme';

export function storedTheme(): ThemeChoice {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

/** Applies a theme choice to <html data-theme>. */
export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    /* private mode: theme is not remembered */
  }
}

export function applyStoredTheme(): void {
  applyTheme(storedTheme());
}
