import { useEffect, useState } from 'react';
import { activeTimeout } from './moderation';

/** The end of a timeout while it lasts, re-rendering when it passes (so a composer opens again on its own). */
export function useTimeoutEnd(timedOutUntil: string | null | undefined): Date | null {
  const [now, setNow] = useState(() => Date.now());
  const end = activeTimeout(timedOutUntil, now);
  useEffect(() => {
    if (!end) return;
    // setTimeout takes at most ~24.8 days; a longer wait just checks again then.
    const wait = Math.min(end.getTime() - Date.now(), 2 ** 31 - 1);
    const timer = setTimeout(() => setNow(Date.now()), Math.max(wait, 0) + 50);
    return () => clearTimeout(timer);
  }, [end]);
  return end;
}
