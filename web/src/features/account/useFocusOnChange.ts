import { useEffect, useRef } from 'react';

/**
 * Moves focus to the returned element whenever `key` changes after the first render, so keyboard and
 * screen-reader users land on the new step (its heading or first field) instead of a button that vanished.
 */
export function useFocusOnChange<T extends HTMLElement>(key: unknown) {
  const ref = useRef<T>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    ref.current?.focus();
  }, [key]);
  return ref;
}

/** Runs `action` once per mount, even under StrictMode's double effects (emailed links work only once). */
export function useOnce(action: () => void) {
  const done = useRef(false);
  useEffect(() => {
    if (done.current) return;
    done.current = true;
    action();
  }, [action]);
}
