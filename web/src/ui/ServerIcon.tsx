import { useState } from 'react';
import { onServer } from '../api/config';
import { serverInitials } from './initials';

/** A server's icon, or its initials when it has none (or the picture fails to load). */
export function ServerIcon({ name, url, className = '' }: { name: string; url?: string | null; className?: string }) {
  const [failed, setFailed] = useState<string | null>(null);
  return url && failed !== url ? (
    <img src={onServer(url)} alt="" onError={() => setFailed(url)} className={`${className} object-cover`} data-testid="server-icon" />
  ) : (
    <span aria-hidden="true" className={`${className} inline-flex items-center justify-center font-semibold`} data-testid="server-initials">
      {serverInitials(name)}
    </span>
  );
}
