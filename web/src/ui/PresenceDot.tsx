const DOT: Record<string, string> = { online: 'bg-emerald-500', idle: 'bg-amber-400', dnd: 'bg-red-500' };

/** A status dot for the corner of an avatar (the parent is `relative`). */
export function PresenceDot({ status }: { status: string | undefined }) {
  const s = status && DOT[status] ? status : 'offline';
  return (
    <span
      role="img"
      aria-label={s}
      className={`absolute -bottom-0.5 -right-0.5 size-3.5 rounded-full border-2 border-side dark:border-side-dark ${DOT[s] ?? 'bg-zinc-400'}`}
    />
  );
}
