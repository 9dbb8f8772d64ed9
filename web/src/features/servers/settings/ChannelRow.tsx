import type { ReadyChannel } from '../../gateway/protocol';
import { dangerLink, input, linkButton } from './styles';

export type ChannelDialog = { kind: 'edit' | 'permissions' | 'delete'; channel: ReadyChannel };

export function ChannelDeleteButton({ channel, onOpen }: { channel: ReadyChannel; onOpen: (d: ChannelDialog) => void }) {
  return (
    <button type="button" className={dangerLink} aria-label={`Delete ${channel.name}`} onClick={() => onOpen({ kind: 'delete', channel })}>
      Delete
    </button>
  );
}

/** One channel in the settings list: a drag handle, keyboard moves, its category menu, and its dialogs. */
export function ChannelRow({
  channel,
  index,
  count,
  parent,
  categories,
  dragging,
  dropProps,
  onDragStart,
  onDragEnd,
  onMove,
  onOpen,
}: {
  channel: ReadyChannel;
  index: number;
  count: number;
  parent: string;
  categories: ReadyChannel[];
  dragging: boolean;
  dropProps: { onDragOver: (e: React.DragEvent) => void; onDrop: (e: React.DragEvent) => void };
  onDragStart: (e: React.DragEvent) => void;
  onDragEnd: () => void;
  onMove: (toParent: string, toIndex: number) => void;
  onOpen: (d: ChannelDialog) => void;
}) {
  return (
    <li
      draggable
      data-testid="settings-channel"
      data-channel-name={channel.name ?? ''}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      {...dropProps}
      className={`flex flex-wrap items-center gap-2 rounded-md bg-white/60 px-2 py-1 text-sm dark:bg-zinc-900/40 ${dragging ? 'opacity-50' : ''}`}
    >
      <span aria-hidden="true" className="cursor-grab select-none text-zinc-500" title="Drag to move">
        ⠿
      </span>
      {/* At least 8rem for the name: on a phone the controls wrap to the next line rather than squeeze it to "#…". */}
      {/* The name cut short on its own (an Arabic name takes its direction from itself), the "#" before it. */}
      <span className="flex min-w-0 grow basis-32 gap-1" data-testid="settings-channel-name">
        <span aria-hidden="true" className="text-zinc-500">
          {channel.type === 'voice' ? '🔊' : '#'}
        </span>
        <span className="truncate">{channel.name}</span>
      </span>
      <button
        type="button"
        className={linkButton}
        aria-label={`Move ${channel.name} up`}
        disabled={index === 0}
        onClick={() => onMove(parent, index - 1)}
      >
        ↑
      </button>
      <button
        type="button"
        className={linkButton}
        aria-label={`Move ${channel.name} down`}
        disabled={index === count - 1}
        onClick={() => onMove(parent, index + 1)}
      >
        ↓
      </button>
      <select
        aria-label={`Category of ${channel.name}`}
        value={parent}
        onChange={(e) => onMove(e.target.value, Number.MAX_SAFE_INTEGER)}
        className={`${input} max-w-36`}
      >
        <option value="">No category</option>
        {categories.map((k) => (
          <option key={k.id} value={k.id}>
            {k.name}
          </option>
        ))}
      </select>
      <button type="button" className={linkButton} aria-label={`Edit ${channel.name}`} onClick={() => onOpen({ kind: 'edit', channel })}>
        Edit
      </button>
      <button
        type="button"
        className={linkButton}
        aria-label={`Permissions of ${channel.name}`}
        onClick={() => onOpen({ kind: 'permissions', channel })}
      >
        Permissions
      </button>
      <ChannelDeleteButton channel={channel} onOpen={onOpen} />
    </li>
  );
}
