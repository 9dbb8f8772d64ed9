import { afterEach, describe, expect, it } from 'vitest';
import { createTokenStore, localStorageTokens } from '../../api/tokens';
import { forgetResumableUploads, forgetResumableUploadsOnSignOut } from './resumableUploads';

const tokens = { accessToken: 'a', refreshToken: 'r', sessionId: 's', userId: 'u' };

describe('resumable upload entries', () => {
  afterEach(() => localStorage.clear());

  it('removes only the tus entries', () => {
    localStorage.setItem('tus::tus-br-holiday.mp4-video/mp4-9000::1', '{"uploadUrl":"/x"}');
    localStorage.setItem('tus::tus-br-notes.txt-text/plain-12::2', '{"uploadUrl":"/y"}');
    localStorage.setItem('kamachat.theme', 'dark');
    forgetResumableUploads(localStorage);
    expect(Object.keys(localStorage)).toEqual(['kamachat.theme']);
  });

  it('are forgotten when the session ends, and kept while it goes on', async () => {
    const store = createTokenStore(localStorageTokens(localStorage));
    await store.ready;
    const stop = forgetResumableUploadsOnSignOut(store, localStorage);
    store.set(tokens);
    localStorage.setItem('tus::fingerprint::1', '{"uploadUrl":"/x"}');
    store.set({ ...tokens, accessToken: 'renewed' });
    expect(localStorage.getItem('tus::fingerprint::1')).not.toBeNull();
    store.clear();
    expect(localStorage.getItem('tus::fingerprint::1')).toBeNull();
    stop();
  });
});
