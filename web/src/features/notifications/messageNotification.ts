import type { DmChannel, Message } from '../../api/types';
import { dmTitle } from '../dms/queries';
import type { ChosenStatus } from '../gateway/connection';
import type { ReadyServer } from '../gateway/protocol';
import { mentionsAsText } from '../messages/markdown';
import { systemText } from '../messages/SystemLine';
import { mentionsMe } from '../messages/unread';
import { displayName } from '../users/displayName';
import { notifies, type NotificationRule } from './rules';

/** A pop-up notification for a message: what it says, and where clicking it leads. */
export interface MessageNotification {
  title: string;
  body: string;
  /** One per conversation: a burst of messages replaces the previous pop-up instead of stacking up. */
  tag: string;
  /** The message in its conversation (the client's own route). */
  path: string;
}

export interface NotificationContext {
  myId: string | undefined;
  /** The Ready server list (channels we can see). */
  servers: readonly ReadyServer[];
  /** The DM list, when loaded. */
  dms: readonly DmChannel[] | undefined;
  /** The user muted pop-ups (the settings' desktopMuted, the tray's "Mute notifications"). */
  muted: boolean;
  status: ChosenStatus;
  /** The conversation the user is looking at right now (window focused), if any. */
  viewing: string | null;
  /** Names for <@id> mentions in the text, where known. */
  nameOf?: (userId: string) => string | undefined;
  /** The message's server's roles, for <@&id> mentions, where known. */
  roleOf?: (roleId: string) => { name: string } | undefined;
  /** The user's per-server and per-channel levels and mutes (settings from the server). */
  rules?: { servers: readonly NotificationRule[]; channels: readonly NotificationRule[] };
  /** My roles in the message's server, for role mentions. */
  myRoleIds?: ReadonlySet<string>;
  now?: number;
}

const MAX_BODY = 180;

const CALL_LINES = new Set(['callMissed', 'callEnded']);

/**
 * Message text as a pop-up shows it: mentions as @name, @role and #channel (as the message reads), whitespace
 * collapsed, cut at a readable length.
 */
export function notificationText(
  content: string,
  names: Pick<NotificationContext, 'nameOf' | 'roleOf'> & { channelOf?: (channelId: string) => { name: string } | undefined } = {},
): string {
  const text = mentionsAsText(content, { ...names, nameOf: (id) => names.nameOf?.(id) ?? 'someone' })
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
}

/**
 * Whether a new message deserves a pop-up, and which: by the user's levels (DMs and group DMs default to all
 * messages, servers to mentions; a channel's level overrides its server's) and mutes; never our own, never the
 * conversation we are looking at, never while pop-ups are muted everywhere or in Do Not Disturb. A call's own lines
 * (missed, ended) never pop up: its ringing had a notification of its own, withdrawn when it stopped.
 */
export function notificationFor(message: Message, ctx: NotificationContext): MessageNotification | null {
  if (!ctx.myId || message.author.id === ctx.myId || ctx.muted || ctx.status === 'dnd') return null;
  if (CALL_LINES.has(message.kind)) return null;
  if (ctx.viewing === message.channelId) return null;
  const author = displayName(message.author);
  // A line the server wrote (someone joined, a group renamed) says what happened; its content alone is empty or a name.
  // A channel mention names any channel of ours (the Ready list has them all).
  const channelOf = (id: string) => {
    const name = ctx.servers.flatMap((s) => s.channels).find((c) => c.id === id && c.type !== 'category')?.name;
    return name ? { name } : undefined;
  };
  const body =
    systemText(message) ??
    (notificationText(message.content, { nameOf: ctx.nameOf, roleOf: ctx.roleOf, channelOf }) ||
      (message.attachments.length > 0 ? 'Sent an attachment' : ''));
  const server = ctx.servers.find((s) => s.channels.some((c) => c.id === message.channelId));
  const mentioned = mentionsMe(message, ctx.myId, ctx.myRoleIds ?? new Set());
  const serverRule = server && ctx.rules?.servers.find((r) => r.id === server.id);
  const channelRule = ctx.rules?.channels.find((r) => r.id === message.channelId);
  if (!notifies(!server, mentioned, serverRule, channelRule, ctx.now ?? Date.now())) return null;
  if (server) {
    const channel = server.channels.find((c) => c.id === message.channelId)!;
    return {
      title: `${author} (#${channel.name ?? 'channel'}, ${server.name})`,
      body,
      tag: `channel:${message.channelId}`,
      path: `/servers/${server.id}/channels/${message.channelId}/${message.id}`,
    };
  }
  // Not in any server we know: a DM or group DM (the list may not be loaded yet).
  const dm = ctx.dms?.find((d) => d.id === message.channelId);
  const group = dm && (dm.type === 'group_dm' || dm.recipients.length > 2);
  return {
    title: group ? `${author} (${dmTitle(dm, ctx.myId)})` : author,
    body,
    tag: `channel:${message.channelId}`,
    path: `/channels/@me/${message.channelId}/${message.id}`,
  };
}
