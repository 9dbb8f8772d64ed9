import { liveDisplayName, useLiveProfile } from './liveProfiles';

/** A person's name that follows a change they make while it is on screen (for lists, where a hook per row needs a component). */
export function LiveName({ id, user }: { id: string; user: { username: string; displayName?: string | null; nickname?: string | null } }) {
  return <>{liveDisplayName(useLiveProfile(id), user)}</>;
}
