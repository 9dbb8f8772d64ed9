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
