import type { ChatMessage } from '../gateway/messageStore';
import { displayName } from '../users/displayName';

/** What a line the server wrote about a change says; null for a message someone wrote. */
export function systemText(m: Pick<ChatMessage, 'kind' | 'author' | 'target' | 'content'>): string | null {
  const who = displayName(m.author);
  const whom = m.target ? displayName(m.target) : 'someone';
  switch (m.kind) {
    case 'recipientAdded':
      return `${who} added ${whom} to the group.`;
    case 'recipientRemoved':
      return m.target?.id === m.author.id ? `${who} left the group.` : `${who} removed ${whom} from the group.`;
    case 'channelNameChanged':
      return m.content ? `${who} renamed the group to ${m.content}.` : `${who} removed the group's name.`;
    case 'channelIconChanged':
      return `${who} changed the group's icon.`;
    case 'callMissed':
      return `Missed call from ${who}.`;
    case 'callEnded':
      return `${who} started a call that lasted ${callLength(Number(m.content))}.`;
    case 'memberJoined':
      return `${who} joined the server.`;
    default:
      return null;
  }
}

/** A call's length as people say it: "12 seconds", "3 minutes", "1 hour 5 minutes". */
export function callLength(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (s < 60) return plural(s, 'second');
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (hours === 0) return plural(minutes, 'minute');
  return minutes === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(minutes, 'minute')}`;
}

const ICONS: Record<string, string> = {
  callMissed: '📵',
  callEnded: '📞',
  recipientAdded: '→',
  recipientRemoved: '←',
  channelNameChanged: '✎',
  channelIconChanged: '🖼',
  memberJoined: '→',
};

/** A system line: set apart from what people write (an icon, muted text, no author block or actions). */
export function SystemLine({
  message: m,
  text,
  firstNew,
  divider,
}: {
  message: ChatMessage;
  text: string;
  firstNew: boolean;
  divider: React.ReactNode;
}) {
  return (
    <div
      data-testid="message-row"
      data-message-id={m.id}
      data-kind={m.kind}
      data-state="sent"
      role="article"
      aria-label={text}
      tabIndex={0}
      className="mt-2 px-4 py-0.5"
    >
      {firstNew && divider}
      <p data-testid="system-line" className="ml-[52px] flex items-baseline gap-2 text-sm text-zinc-600 dark:text-zinc-400">
        <span aria-hidden="true" className="w-4 text-center">
          {ICONS[m.kind ?? ''] ?? '•'}
        </span>
        <span>{text}</span>
        <time dateTime={m.createdAt} className="text-xs">
          {new Date(m.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </time>
      </p>
    </div>
  );
}
