import type { TokenStore } from '../../api/tokens';

/**
 * tus-js-client keeps each unfinished upload's URL in localStorage under `tus::<fingerprint>::<id>`, the fingerprint
 * holding the file's name, size and channel. That lets a reload resume (upload.ts), but it must not outlive the
 * session: on a shared computer the next person should not find the last one's file names in the browser's storage.
 */
const TUS_PREFIX = 'tus::';

/** Removes every stored resumable-upload entry. */
export function forgetResumableUploads(storage: Storage): void {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(TUS_PREFIX)) keys.push(key);
  }
  keys.forEach((key) => storage.removeItem(key));
}

/**
 * Forgets stored uploads whenever the session ends, however it ends (sign-out, account deletion, a revoked session,
 * another tab signing out): the token store is where every one of those paths meets. Returns an unsubscribe function.
 */
export function forgetResumableUploadsOnSignOut(tokens: TokenStore, storage: Storage): () => void {
  return tokens.subscribe(() => {
    if (tokens.get() === null) forgetResumableUploads(storage);
  });
}
