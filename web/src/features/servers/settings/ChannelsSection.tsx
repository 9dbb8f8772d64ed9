import { useState } from 'react';
import { errorMessage } from '../../../api/errors';
import type { ReadyChannel } from '../../gateway/protocol';
import { P } from '../permissions';
import { useCreateChannelMutation, useMembers, useRoles } from '../queries';
import { AccessPicker, NOBODY } from './AccessPicker';
import { ChannelDeleteButton, ChannelRow, type ChannelDialog } from './ChannelRow';
import { ChannelEditDialog, DeleteChannelDialog } from './ChannelDialogs';
import { ChannelPermissionsDialog } from './ChannelPermissionsDialog';
import { channelLists, moveCategory, moveChannel, type PositionChange } from './channelMoves';
import { useReorderChannelsMutation } from './queries';
import { button, input, linkButton, muted, section } from './styles';

function CreateChannelForm({ serverId, categories }: { serverId: string; categories: ReadyChannel[] }) {
  const createChannel = useCreateChannelMutation(serverId);
  const { data: roles = [] } = useRoles(serverId);
  const { data: members = [] } = useMembers(serverId);
  const [name, setName] = useState('');
  const [type, setType] = useState('text');
  const [parentId, setParentId] = useState('');
  const [isPrivate, setPrivate] = useState(false);
  const [access, setAccess] = useState(NOBODY);
  const [error, setError] = useState<string | null>(null);
  const view = P.VIEW_CHANNEL.toString();
  const create = (e: React.FormEvent) => {
    e.preventDefault();
    const permissionOverwrites =
      isPrivate && type !== 'category'
        ? [
            { targetType: 'role' as const, targetId: serverId, allow: '0', deny: view },
            ...[...access.roles].map((id) => ({ targetType: 'role' as const, targetId: id, allow: view, deny: '0' })),
            ...[...access.members].map((id) => ({ targetType: 'member' as const, targetId: id, allow: view, deny: '0' })),
          ]
        : [];
    createChannel.mutate(
      { name: name.trim(), type, parentId: type === 'category' ? null : parentId || null, permissionOverwrites },
      {
        onSuccess: () => {
          setName('');
          setPrivate(false);
          setAccess(NOBODY);
          setError(null);
        },
        onError: (err) => setError(errorMessage(err)),
      },
    );
  };
  return (
    <form
      onSubmit={create}
      aria-label="Create a channel"
      className="mt-4 flex flex-col gap-2 border-t border-zinc-300 pt-3 dark:border-zinc-700"
    >
      <h3 className="text-sm font-semibold">Create a channel</h3>
      <div className="flex flex-wrap items-end gap-2">
        <label className="flex flex-col text-xs font-bold uppercase">
          Channel name
          <input
            aria-label="Channel name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
            className={input}
          />
        </label>
        <label className="flex flex-col text-xs font-bold uppercase">
          Type
          <select aria-label="Channel type" value={type} onChange={(e) => setType(e.target.value)} className={input}>
            <option value="text">Text</option>
            <option value="voice">Voice</option>
            <option value="category">Category</option>
          </select>
        </label>
        {type !== 'category' && (
          <label className="flex flex-col text-xs font-bold uppercase">
            In category
            <select aria-label="In category" value={parentId} onChange={(e) => setParentId(e.target.value)} className={input}>
              <option value="">None</option>
              {categories.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit" className={button} disabled={createChannel.isPending}>
          Create channel
        </button>
      </div>
      {type !== 'category' && (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.target.checked)} />
          Private channel
        </label>
      )}
      {isPrivate && type !== 'category' && (
        <AccessPicker roles={roles} members={members} everyoneId={serverId} value={access} onChange={setAccess} />
      )}
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}

/**
 * Channels and categories: drag a channel (or use its move buttons and category menu) to reorder it or move it to
 * another category; edit, set permissions, delete; create one, private if need be.
 */
export function ChannelsSection({ serverId, channels }: { serverId: string; channels: ReadyChannel[] }) {
  const reorder = useReorderChannelsMutation(serverId);
  const [dragging, setDragging] = useState<string | null>(null);
  const [dialog, setDialog] = useState<ChannelDialog | null>(null);
  const lists = channelLists(channels);
  const categories = channels.filter((c) => c.type === 'category').sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
  const apply = (changes: PositionChange[]) => {
    if (changes.length > 0) reorder.mutate(changes);
  };
  const move = (id: string, parent: string, index: number) => apply(moveChannel(channels, id, parent, index));
  const dropProps = (parent: string, index: number) => ({
    onDragOver: (e: React.DragEvent) => {
      if (dragging) e.preventDefault();
    },
    onDrop: (e: React.DragEvent) => {
      e.preventDefault();
      e.stopPropagation();
      const id = dragging ?? e.dataTransfer.getData('text/plain');
      setDragging(null);
      if (id) move(id, parent, index);
    },
  });

  const list = (parent: string, label: string) => {
    const items = lists.get(parent) ?? [];
    return (
      <ul
        aria-label={label}
        data-testid="channel-drop-list"
        className={`flex min-h-9 flex-col gap-1 rounded-md p-1 ${dragging ? 'outline-1 outline-dashed outline-zinc-400' : ''}`}
        {...dropProps(parent, items.length)}
      >
        {items.length === 0 && (
          <li className={`${muted} px-2 py-1 text-xs`}>No channels. Drag one here or pick this category in its menu.</li>
        )}
        {items.map((c, index) => (
          <ChannelRow
            key={c.id}
            channel={c}
            index={index}
            count={items.length}
            parent={parent}
            categories={categories}
            dragging={dragging === c.id}
            dropProps={dropProps(parent, index)}
            onDragStart={(e) => {
              e.dataTransfer.setData('text/plain', c.id);
              e.dataTransfer.effectAllowed = 'move';
              setDragging(c.id);
            }}
            onDragEnd={() => setDragging(null)}
            onMove={(toParent, toIndex) => move(c.id, toParent, toIndex)}
            onOpen={setDialog}
          />
        ))}
      </ul>
    );
  };

  return (
    <section aria-labelledby="channels-h" className={section}>
      <h2 id="channels-h" className="font-semibold">
        Channels
      </h2>
      <p className={`${muted} mt-1`}>
        Drag channels to reorder them or move them into a category, or use each channel’s move buttons and menu.
      </p>
      <div className="mt-3 flex flex-col gap-3">
        {list('', 'Channels outside categories')}
        {categories.map((k, i) => (
          <div key={k.id} role="group" aria-label={`Category ${k.name}`}>
            <div className="flex items-center gap-2 px-1">
              <h3 className="flex-1 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">{k.name}</h3>
              <button
                type="button"
                className={linkButton}
                aria-label={`Move category ${k.name} up`}
                disabled={i === 0}
                onClick={() => apply(moveCategory(channels, k.id, -1))}
              >
                ↑
              </button>
              <button
                type="button"
                className={linkButton}
                aria-label={`Move category ${k.name} down`}
                disabled={i === categories.length - 1}
                onClick={() => apply(moveCategory(channels, k.id, 1))}
              >
                ↓
              </button>
              <button
                type="button"
                className={linkButton}
                aria-label={`Edit ${k.name}`}
                onClick={() => setDialog({ kind: 'edit', channel: k })}
              >
                Edit
              </button>
              <ChannelDeleteButton channel={k} onOpen={setDialog} />
            </div>
            {list(k.id, `Channels in ${k.name}`)}
          </div>
        ))}
      </div>
      {reorder.error && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
          {errorMessage(reorder.error)}
        </p>
      )}
      <CreateChannelForm serverId={serverId} categories={categories} />
      {dialog?.kind === 'edit' && <ChannelEditDialog serverId={serverId} channel={dialog.channel} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'permissions' && (
        <ChannelPermissionsDialog serverId={serverId} channel={dialog.channel} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'delete' && <DeleteChannelDialog channel={dialog.channel} onClose={() => setDialog(null)} />}
    </section>
  );
}
