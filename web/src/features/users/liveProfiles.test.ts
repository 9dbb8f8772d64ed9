import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { clearLiveProfiles, liveAvatarUrl, profileChanged, useLiveProfile } from './liveProfiles';

describe('live profiles', () => {
  afterEach(() => clearLiveProfiles());

  it('re-renders whoever shows the user with the announced picture, and only that user changes', () => {
    const alice = renderHook(() => useLiveProfile('1'));
    const bob = renderHook(() => useLiveProfile('2'));
    expect(liveAvatarUrl(alice.result.current, '/old.webp')).toBe('/old.webp');

    act(() => profileChanged({ id: '1', username: 'alice', displayName: null, avatarUrl: '/new.webp' }));
    expect(liveAvatarUrl(alice.result.current, '/old.webp')).toBe('/new.webp');
    expect(liveAvatarUrl(bob.result.current, '/bob.webp')).toBe('/bob.webp');
  });

  it('shows a removed picture as removed, not the one fetched earlier', () => {
    act(() => profileChanged({ id: '1', username: 'alice', displayName: null, avatarUrl: null }));
    const { result } = renderHook(() => useLiveProfile('1'));
    expect(liveAvatarUrl(result.current, '/old.webp')).toBeNull();
  });
});
