import { describe, expect, it, vi } from 'vitest';
import { memoryStorage } from '../test/memoryStorage';
import { createTokenStore, localStorageTokens, TOKEN_KEY, type StoredTokens, type TokenStorage } from './tokens';

const tokens = { accessToken: 'a1', refreshToken: 'r1-0123456789abcdef', sessionId: '100', userId: '7' };

describe('token store', () => {
  it('persists tokens in storage and reads them back in a new store (a reload)', () => {
    const storage = memoryStorage();
    createTokenStore(localStorageTokens(storage)).set(tokens);
    expect(JSON.parse(storage.getItem(TOKEN_KEY)!)).toEqual(tokens);
    expect(createTokenStore(localStorageTokens(storage)).get()).toEqual(tokens);
  });

  it('returns the same object until the value changes', () => {
    const store = createTokenStore(localStorageTokens(memoryStorage()));
    store.set(tokens);
    const first = store.get();
    expect(store.get()).toBe(first);
    store.set({ ...tokens, accessToken: 'a2' });
    expect(store.get()).not.toBe(first);
    expect(store.get()?.accessToken).toBe('a2');
  });

  it('clears and notifies subscribers', () => {
    const store = createTokenStore(localStorageTokens(memoryStorage()));
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    store.set(tokens);
    store.clear();
    expect(store.get()).toBeNull();
    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
    store.set(tokens);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('treats corrupt or incomplete entries as signed out', () => {
    const storage = memoryStorage();
    storage.setItem(TOKEN_KEY, '{not json');
    expect(createTokenStore(localStorageTokens(storage)).get()).toBeNull();
    storage.setItem(TOKEN_KEY, JSON.stringify({ accessToken: 'a' }));
    expect(createTokenStore(localStorageTokens(storage)).get()).toBeNull();
  });

  it('sees changes made by another tab and tells subscribers on the storage event', () => {
    const storage = memoryStorage();
    const events = new EventTarget();
    const store = createTokenStore(localStorageTokens(storage, TOKEN_KEY, events as unknown as Window));
    const listener = vi.fn();
    store.subscribe(listener);
    // Another tab writes the same localStorage, then the browser fires "storage" here.
    storage.setItem(TOKEN_KEY, JSON.stringify(tokens));
    events.dispatchEvent(Object.assign(new Event('storage'), { key: TOKEN_KEY }));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.get()).toEqual(tokens);
    events.dispatchEvent(Object.assign(new Event('storage'), { key: 'kamachat.theme' }));
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

/** A storage that answers later, like an OS keyring behind a bridge; `changed()` plays another window's write. */
function asyncStorage(initial: StoredTokens | null, delayMs = 5) {
  let kept = initial;
  const saved: (StoredTokens | null)[] = [];
  const listeners = new Set<() => void>();
  const later = <T>(value: () => T) => new Promise<T>((resolve) => setTimeout(() => resolve(value()), delayMs));
  const storage: TokenStorage = {
    load: () => later(() => kept),
    save: (next) =>
      later(() => {
        kept = next;
        saved.push(next);
      }),
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
  return {
    storage,
    saved,
    elsewhere(next: StoredTokens | null) {
      kept = next;
      listeners.forEach((l) => l());
    },
  };
}

describe('token store over an asynchronous storage', () => {
  it('is ready once the stored tokens are read, and tells subscribers', async () => {
    const { storage } = asyncStorage(tokens);
    const store = createTokenStore(storage);
    const listener = vi.fn();
    store.subscribe(listener);
    expect(store.get()).toBeNull();
    await store.ready;
    expect(store.get()).toEqual(tokens);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('shows a change at once and saves the changes in the order they were made', async () => {
    const { storage, saved } = asyncStorage(null);
    const store = createTokenStore(storage);
    await store.ready;
    store.set(tokens);
    expect(store.get()).toEqual(tokens);
    store.set({ ...tokens, accessToken: 'a2' });
    store.clear();
    expect(store.get()).toBeNull();
    await vi.waitFor(() => expect(saved).toHaveLength(3));
    expect(saved.map((t) => t?.accessToken ?? null)).toEqual(['a1', 'a2', null]);
  });

  it('reads again when the storage reports a change made elsewhere', async () => {
    const { storage, elsewhere } = asyncStorage(tokens);
    const store = createTokenStore(storage);
    await store.ready;
    const listener = vi.fn();
    store.subscribe(listener);
    elsewhere({ ...tokens, accessToken: 'a3' });
    await vi.waitFor(() => expect(store.get()?.accessToken).toBe('a3'));
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('keeps a sign-in made while the first read was still on its way', async () => {
    const { storage } = asyncStorage(null, 20);
    const store = createTokenStore(storage);
    store.set(tokens);
    await store.ready;
    expect(store.get()).toEqual(tokens);
  });
});
