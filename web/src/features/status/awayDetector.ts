/** Idle after this long without input, as Discord does. */
export const AWAY_AFTER_MS = 10 * 60 * 1000;

const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'] as const;

/**
 * Watches the window for input and reports `away(true)` after {@link AWAY_AFTER_MS} without any, `away(false)` at the
 * next input. Pointer moves are frequent: they only move a deadline, and the timer is set again when it fires.
 * Returns the function that stops watching.
 */
export function watchForAway(target: Window, away: (isAway: boolean) => void, afterMs = AWAY_AFTER_MS): () => void {
  let lastInput = Date.now();
  let isAway = false;
  let timer: ReturnType<typeof setTimeout>;

  const check = () => {
    const quietFor = Date.now() - lastInput;
    if (quietFor >= afterMs) {
      isAway = true;
      away(true);
    } else {
      timer = setTimeout(check, afterMs - quietFor);
    }
  };
  const onInput = () => {
    lastInput = Date.now();
    if (!isAway) return;
    isAway = false;
    away(false);
    timer = setTimeout(check, afterMs);
  };

  timer = setTimeout(check, afterMs);
  for (const name of INPUT_EVENTS) target.addEventListener(name, onInput, { passive: true, capture: true });
  return () => {
    clearTimeout(timer);
    for (const name of INPUT_EVENTS) target.removeEventListener(name, onInput, { capture: true });
  };
}
