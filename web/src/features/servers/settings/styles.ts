// Class names the settings sections share.
export const section = 'rounded-lg bg-side p-4 dark:bg-side-dark';
export const input = 'rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-900';
export const button = 'rounded-md bg-brand px-3 py-1 text-sm font-medium text-white hover:bg-brand-strong disabled:opacity-60';
export const linkButton = 'text-sm underline disabled:opacity-50';
export const dangerLink = 'text-sm text-red-700 underline dark:text-red-400';
export const muted = 'text-sm text-zinc-600 dark:text-zinc-400';
