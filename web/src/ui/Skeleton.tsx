/**
 * Grey placeholders in the shape of what is loading, so a slow first load shows the layout at once instead of a
 * blank screen. Each says what it waits for to screen readers (the shapes themselves are hidden from them).
 */

const bar = 'animate-pulse rounded bg-zinc-300/70 motion-reduce:animate-none dark:bg-zinc-700/60';

/** Placeholder message rows (avatar, name, a line or two of text). */
export function MessageSkeleton({ rows = 6, label = 'Loading messages…' }: { rows?: number; label?: string }) {
  return (
    <div role="status" data-testid="skeleton" className="flex flex-col gap-5 p-4">
      <span className="sr-only">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} aria-hidden="true" className="flex gap-3">
          <div className={`size-10 shrink-0 rounded-full ${bar}`} />
          <div className="flex flex-1 flex-col gap-2 pt-1">
            <div className={`h-3 ${bar}`} style={{ width: `${18 + ((i * 7) % 12)}%` }} />
            <div className={`h-3 ${bar}`} style={{ width: `${45 + ((i * 23) % 45)}%` }} />
          </div>
        </div>
      ))}
    </div>
  );
}

/** Placeholder rows of a sidebar list (channels, conversations). */
export function ListSkeleton({ rows = 5, label }: { rows?: number; label: string }) {
  return (
    <div role="status" data-testid="skeleton" className="flex flex-col gap-3 px-2 py-2">
      <span className="sr-only">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} aria-hidden="true" className={`h-4 ${bar}`} style={{ width: `${55 + ((i * 17) % 35)}%` }} />
      ))}
    </div>
  );
}

/** The whole signed-in frame while the app itself loads: rail, sidebar, header and messages. */
export function AppSkeleton() {
  return (
    <div className="flex h-full overflow-hidden bg-main dark:bg-main-dark" data-testid="app-skeleton">
      <div aria-hidden="true" className="flex w-[72px] shrink-0 flex-col items-center gap-2 bg-rail py-3 dark:bg-rail-dark">
        {Array.from({ length: 4 }, (_, i) => (
          <div key={i} className={`size-12 rounded-3xl ${bar}`} />
        ))}
      </div>
      <div aria-hidden="true" className="hidden w-60 shrink-0 bg-side md:block dark:bg-side-dark">
        <div className="h-12 border-b border-zinc-300 dark:border-black/30" />
        <ListSkeleton rows={6} label="" />
      </div>
      <div className="flex min-w-0 flex-1 flex-col">
        <div className="h-12 border-b border-zinc-200 dark:border-black/30" />
        <MessageSkeleton label="Loading KamaChat…" />
      </div>
    </div>
  );
}
