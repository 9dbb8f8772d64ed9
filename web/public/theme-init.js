// Mirrors src/features/theme/theme.ts (keep the key and values in step): no flash of the wrong theme.
(function () {
  var pref = 'dark';
  try {
    pref = localStorage.getItem('kamachat.theme') || 'dark';
  } catch {
    /* storage blocked */
  }
  var dark = pref === 'system' ? window.matchMedia('(prefers-color-scheme: dark)').matches : pref !== 'light';
  document.documentElement.classList.toggle('dark', dark);
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
})();
