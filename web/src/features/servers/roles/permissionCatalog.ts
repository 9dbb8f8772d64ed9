/**
 * Every permission the server defines (Permissions.cs), grouped as Discord groups them, each with what it lets a member do.
 * The one catalogue: the roles editor shows all of it, a channel's permission editor the ones a channel can override.
 */
export interface PermissionInfo {
  bit: bigint;
  label: string;
  explanation: string;
}

/** Server-wide permissions a channel overwrite cannot change (the server ignores them there). */
const SERVER_ONLY = new Set([3n, 5n, 7n, 26n, 27n, 1n, 2n, 40n].map((n) => 1n << n));

const b = (n: bigint) => 1n << n;

export const PERMISSION_GROUPS: { title: string; permissions: PermissionInfo[] }[] = [
  {
    title: 'General',
    permissions: [
      { bit: b(10n), label: 'View channels', explanation: 'See text and voice channels and read what is posted there now.' },
      { bit: b(4n), label: 'Manage channels', explanation: 'Create, rename, reorder and delete channels and categories.' },
      { bit: b(28n), label: 'Manage roles', explanation: 'Create and edit roles below their own highest role, and give them to members.' },
      { bit: b(5n), label: 'Manage server', explanation: "Change the server's name, description and icon." },
      { bit: b(7n), label: 'View audit log', explanation: 'Read the record of who changed what and who moderated whom.' },
    ],
  },
  {
    title: 'Membership',
    permissions: [
      { bit: b(0n), label: 'Create invite', explanation: 'Make invite links that let new people join.' },
      { bit: b(26n), label: 'Change nickname', explanation: 'Set their own nickname in this server.' },
      { bit: b(27n), label: 'Manage nicknames', explanation: "Change other members' nicknames." },
      { bit: b(1n), label: 'Kick members', explanation: 'Remove members from the server (they can come back with an invite).' },
      { bit: b(2n), label: 'Ban members', explanation: 'Remove members for good and keep them from coming back.' },
      { bit: b(40n), label: 'Time out members', explanation: 'Stop a member from sending, reacting or joining voice until a time.' },
    ],
  },
  {
    title: 'Text',
    permissions: [
      { bit: b(11n), label: 'Send messages', explanation: 'Post messages in text channels.' },
      { bit: b(14n), label: 'Embed links', explanation: 'Links they post show a preview.' },
      { bit: b(15n), label: 'Attach files', explanation: 'Upload images and files with their messages.' },
      { bit: b(6n), label: 'Add reactions', explanation: 'React to messages with emoji.' },
      {
        bit: b(17n),
        label: 'Mention @everyone',
        explanation: 'Notify everyone in a channel with @everyone, and roles that are not mentionable.',
      },
      { bit: b(13n), label: 'Manage messages', explanation: "Delete other members' messages." },
      { bit: b(29n), label: 'Pin messages', explanation: 'Pin and unpin messages in a channel.' },
      { bit: b(16n), label: 'Read message history', explanation: 'Read messages posted before they opened the channel.' },
    ],
  },
  {
    title: 'Voice',
    permissions: [
      { bit: b(20n), label: 'Connect', explanation: 'Join voice channels.' },
      { bit: b(21n), label: 'Speak', explanation: 'Talk in voice channels.' },
      { bit: b(23n), label: 'Video', explanation: 'Share their camera or screen in voice channels.' },
      { bit: b(22n), label: 'Mute members', explanation: 'Mute other people in voice channels.' },
    ],
  },
  {
    title: 'Advanced',
    permissions: [
      {
        bit: b(3n),
        label: 'Administrator',
        explanation: 'Every permission, in every channel, whatever the channel says. Give it with care.',
      },
    ],
  },
];

/** What a channel overwrite can allow or deny, each with the group it belongs to. */
export const CHANNEL_PERMISSIONS: (PermissionInfo & { group: string })[] = PERMISSION_GROUPS.flatMap((g) =>
  g.permissions.filter((p) => !SERVER_ONLY.has(p.bit)).map((p) => ({ ...p, group: g.title })),
);
