/** The name to show for a person: their nickname in the server, else their display name, else their username. */
export const displayName = (u: { username: string; displayName?: string | null; nickname?: string | null }) =>
  u.nickname || u.displayName || u.username;
