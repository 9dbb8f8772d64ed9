import { useState } from 'react';

/**
 * Open/closed state that stays open only while `where` stays the same: a phone's channel menu closes by itself
 * once a channel is picked. Returns whether it is open and a toggle.
 */
export function useOpenWhile(where: string) {
  const [openAt, setOpenAt] = useState<string | null>(null);
  const open = openAt === where;
  return [open, () => setOpenAt(open ? null : where)] as const;
}
