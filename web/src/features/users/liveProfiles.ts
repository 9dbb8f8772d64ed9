import { useSyncExternalStore } from 'react';
import type { UserSummary } from '../../api/types';

/**
 * The newest name and picture of people whose profile changed while we were connected (the gateway's UserUpdated),
 * by user id. What the rest of the cache holds (messages, member lists) carries the profile as it was when fetched;
 * whatever shows a user reads this first, so a new avatar shows everywhere at once without refetching every list.
 */
const latest = new Map<string, UserSummary>();
const listeners = new Set<() => void>();

export function profileChanged(profile: UserSummary) {
  latest.set(profile.id, profile);
  listeners.forEach((l) => l());
}

/** Forgets everything (signing out: the next account starts from what it fetches). */
export function clearLiveProfiles() {
  latest.clear();
  listeners.forEach((l) => l());
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** The profile of `id` as last announced, or undefined when it has not changed since it was fetched. */
export const useLiveProfile = (id: string) => useSyncExternalStore(subscribe, () => latest.get(id));

/** The picture to show: the announced one once there is one (null: removed), else what the caller fetched. */
export function liveAvatarUrl(live: UserSummary | undefined, fetched: string | null | undefined) {
  return live ? live.avatarUrl : fetched;
}
