import { useEffect } from 'react';

/** Sets the document title, so each page is announced and distinguishable in history and tabs. */
export function usePageTitle(title: string | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · KamaChat` : 'KamaChat';
  }, [title]);
}
