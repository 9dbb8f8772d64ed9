import { P } from './permissions';

/** Every permission the server defines (Permissions.cs), what it lets someone do, and whether a channel can override it. */
export interface PermissionInfo {
  bit: bigint;
  label: string;
  explanation: string;
  group: 'General' | 'Membership' | 'Text' | 'Voice';
  /** Meaningful per channel, so the channel permission editor offers it. */
  channel: boolean;
}

const bit = (n: number) => 1n << BigInt(n);

export const PERMISSIONS: PermissionInfo[] = [
  {
    bit: P.VIEW_CHANNEL,
    label: 'View channels',
    explanation: 'See the channel and read what is said in it.',
    group: 'General',
    channel: true,
  },
  {
    bit: P.MANAGE_CHANNELS,
    label: 'Manage channels',
    explanation: 'Create, edit, reorder and delete channels.',
    group: 'General',
    channel: true,
  },
  {
    bit: P.MANAGE_ROLES,
    label: 'Manage roles and permissions',
    explanation: 'Create and edit roles below their own, and change channel permissions.',
    group: 'General',
    channel: true,
  },
  {
    bit: P.MANAGE_SERVER,
    label: 'Manage server',
    explanation: 'Change the server’s name, description and icon, and see its invites.',
    group: 'General',
    channel: false,
  },
  {
    bit: P.VIEW_AUDIT_LOG,
    label: 'View audit log',
    explanation: 'Read the record of who changed what in the server.',
    group: 'General',
    channel: false,
  },
  {
    bit: P.ADMINISTRATOR,
    label: 'Administrator',
    explanation: 'Every permission, in every channel, whatever the channel says. Give it with care.',
    group: 'General',
    channel: false,
  },
  {
    bit: P.CREATE_INVITE,
    label: 'Create invites',
    explanation: 'Make invite links to bring people into the server.',
    group: 'Membership',
    channel: true,
  },
  { bit: bit(26), label: 'Change nickname', explanation: 'Change their own nickname in this server.', group: 'Membership', channel: false },
  { bit: bit(27), label: 'Manage nicknames', explanation: 'Change other members’ nicknames.', group: 'Membership', channel: false },
  {
    bit: P.KICK_MEMBERS,
    label: 'Kick members',
    explanation: 'Remove members; they can come back with an invite.',
    group: 'Membership',
    channel: false,
  },
  {
    bit: P.BAN_MEMBERS,
    label: 'Ban members',
    explanation: 'Remove members for good and see the ban list.',
    group: 'Membership',
    channel: false,
  },
  {
    bit: P.MODERATE_MEMBERS,
    label: 'Time out members',
    explanation: 'Stop members from sending, reacting and joining voice for a while.',
    group: 'Membership',
    channel: false,
  },
  { bit: P.SEND_MESSAGES, label: 'Send messages', explanation: 'Write messages in text channels.', group: 'Text', channel: true },
  { bit: bit(14), label: 'Embed links', explanation: 'Show previews of the links they post.', group: 'Text', channel: true },
  { bit: bit(15), label: 'Attach files', explanation: 'Upload files and images.', group: 'Text', channel: true },
  { bit: P.ADD_REACTIONS, label: 'Add reactions', explanation: 'React to messages with emoji.', group: 'Text', channel: true },
  {
    bit: bit(17),
    label: 'Mention @everyone',
    explanation: 'Notify everyone who can see the channel at once.',
    group: 'Text',
    channel: true,
  },
  {
    bit: P.MANAGE_MESSAGES,
    label: 'Manage messages',
    explanation: 'Delete and pin other people’s messages.',
    group: 'Text',
    channel: true,
  },
  { bit: P.PIN_MESSAGES, label: 'Pin messages', explanation: 'Pin and unpin messages.', group: 'Text', channel: true },
  {
    bit: bit(16),
    label: 'Read message history',
    explanation: 'Read messages sent before they opened the channel.',
    group: 'Text',
    channel: true,
  },
  { bit: bit(20), label: 'Connect', explanation: 'Join voice channels.', group: 'Voice', channel: true },
  { bit: bit(21), label: 'Speak', explanation: 'Talk in voice channels.', group: 'Voice', channel: true },
  { bit: bit(23), label: 'Video', explanation: 'Share their camera or screen in voice channels.', group: 'Voice', channel: true },
  { bit: bit(22), label: 'Mute members', explanation: 'Mute others in voice channels.', group: 'Voice', channel: true },
];

export const CHANNEL_PERMISSIONS = PERMISSIONS.filter((p) => p.channel);
