import { describe, expect, it, vi } from 'vitest';
import { memoryStorage } from '../test/memoryStorage';
import { createTokenStore, TOKEN_KEY } from './tokens';

const tokens = { accessToken: 'a1', refreshToken: 'r1-0123456789abcdef', sessionId: '100', userId: '7' };

describe('token store', () => {
  it('persists tokens in storage and reads them back in a new store (a reload)', () => {
    const storage = memoryStorage();
    createTokenStore(storage).set(tokens);
    expect(JSON.parse(storage.getItem(TOKEN_KEY)!)).toEqual(tokens);
    expect(createTokenStore(storage).get()).toEqual(tokens);
  });

  it('returns the same object until the value changes', () => {
    const store = createTokenStore(memoryStorage());
    store.set(tokens);
    const first = store.get();
    expect(store.get()).toBe(first);
    store.set({ ...tokens, accessToken: 'a2' });
    expect(store.get()).not.toBe(first);
    expect(store.get()?.accessToken).toBe('a2');
  });

  it('clears and notifies subscribers', () => {
    const store = createTokenStore(memoryStorage());
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
    expect(createTokenStore(storage).get()).toBeNull();
    storage.setItem(TOKEN_KEY, JSON.stringify({ accessToken: 'a' }));
    expect(createTokenStore(storage).get()).toBeNull();
  });

  it('sees changes made by another tab and tells subscribers on the storage event', () => {
    const storage = memoryStorage();
    const events = new EventTarget();
    const store = createTokenStore(storage, TOKEN_KEY, events as unknown as Window);
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
