const DOT: Record<string, string> = { online: 'bg-emerald-500', idle: 'bg-amber-400', dnd: 'bg-red-500' };

/**
 * A status dot for the corner of an avatar (the parent is `relative`). `stale` while our connection is gone: the
 * last status we heard may no longer be true, so it is greyed out rather than left green.
 */
export function PresenceDot({ status, stale = false }: { status: string | undefined; stale?: boolean }) {
  const s = status && DOT[status] ? status : 'offline';
  return (
    <span
      role="img"
      aria-label={stale ? `${s} when last connected, unknown while reconnecting` : s}
      data-stale={stale || undefined}
      className={`absolute -bottom-0.5 -right-0.5 size-3.5 rounded-full border-2 border-side dark:border-side-dark ${stale ? 'bg-zinc-400 dark:bg-zinc-500' : (DOT[s] ?? 'bg-zinc-400')}`}
    />
  );
}
