import type { ReadyServer } from '../gateway/protocol';

/** Permission bits (Permissions.cs). */
export const P = {
  CREATE_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_SERVER: 1n << 5n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  MANAGE_MESSAGES: 1n << 13n,
  MANAGE_ROLES: 1n << 28n,
  PIN_MESSAGES: 1n << 29n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_AUDIT_LOG: 1n << 7n,
  MODERATE_MEMBERS: 1n << 40n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MUTE_MEMBERS: 1n << 22n,
  MOVE_MEMBERS: 1n << 24n,
  DEAFEN_MEMBERS: 1n << 25n,
};

export function has(permissions: string | undefined, bit: bigint) {
  if (!permissions) return false;
  const value = BigInt(permissions);
  return (value & P.ADMINISTRATOR) !== 0n || (value & bit) !== 0n;
}

/** What we may do server-wide: Ready gives permissions per channel, so the union of those (everything for the owner). */
export function serverPermissions(server: ReadyServer | undefined, myId: string | undefined): string {
  if (!server) return '0';
  if (server.ownerId === myId) return String(P.ADMINISTRATOR);
  return String(server.channels.reduce((acc, c) => acc | BigInt(c.permissions), 0n));
}

/** What a timed-out member keeps (the server's ServerAccess.KeptWhileTimedOut): seeing channels and reading their history. */
const KEPT_WHILE_TIMED_OUT = P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY;

/**
 * The server as a member held by a timeout may act in it: each channel keeps only what a timeout leaves (an
 * administrator's and the owner's are never held). Ready lists what they hold apart from the timeout.
 */
export function duringTimeout(server: ReadyServer): ReadyServer {
  const held = (permissions: string) => (BigInt(permissions) & P.ADMINISTRATOR) === 0n;
  return {
    ...server,
    channels: server.channels.map((c) =>
      held(c.permissions) ? { ...c, permissions: String(BigInt(c.permissions) & KEPT_WHILE_TIMED_OUT) } : c,
    ),
  };
}
