import { useCallback, useMemo, useState } from 'react';
import { useBlockedIds } from '../friends/queries';
import { onServer } from '../../api/config';
import { errorMessage } from '../../api/errors';
import type { Message } from '../../api/types';
import { ConfirmDialog } from '../../ui/Dialog';
import { useUploadTray } from '../attachments/queries';
import { useMe } from '../auth/queries';
import { useTyping } from '../gateway/context';
import type { ChatMessage } from '../gateway/messageStore';
import { displayName } from '../users/displayName';
import { Composer, type Mentionable } from './Composer';
import { MessageList } from './MessageList';
import type { MentionNames } from './Markdown';
import { mentionsAsText } from './markdown';
import type { RowActions } from './MessageRow';
import { mentionsMe } from './unread';
import {
  useDeleteMessageMutation,
  useEditMessageMutation,
  useLastOwnMessage,
  usePinMutation,
  useRemoveEmbedsMutation,
  useReactionMutation,
  useSendQueue,
} from './queries';

const NO_ROLES: ReadonlySet<string> = new Set();

function TypingIndicator({ channelId, nameOf }: { channelId: string; nameOf: (id: string) => string }) {
  // The gateway drops each typist when their signal expires or their message arrives.
  const active = Object.keys(useTyping(channelId)).map(nameOf);
  return (
    <div aria-live="polite" className="h-5 px-4 text-xs text-zinc-700 dark:text-zinc-300">
      {active.length === 1 && `${active[0]} is typing…`}
      {active.length > 1 && `${active.join(', ')} are typing…`}
    </div>
  );
}

/** A conversation (server channel or DM): its messages, who is typing, and the composer. Keyed by channel, so it starts afresh in each. */
export function ChannelView({
  channelId,
  target,
  label,
  header,
  members,
  canManage,
  canPin,
  roleOf,
  channelOf,
  myRoleIds = NO_ROLES,
  timedOutUntil,
}: {
  channelId: string;
  /** A message to open the history at (a link or a notification to it). */
  target?: string;
  label: string;
  header: React.ReactNode;
  members: Mentionable[];
  canManage: boolean;
  canPin: boolean;
  /** My roles in the server, for highlighting messages that mention them. */
  myRoleIds?: ReadonlySet<string>;
  /** My timeout in this channel's server: the composer stays closed until it ends. */
  timedOutUntil?: string | null | undefined;
} & Pick<MentionNames, 'roleOf' | 'channelOf'>) {
  const { data: me } = useMe();
  const [editingId, setEditingId] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<ChatMessage | null>(null);
  const [notice, setNotice] = useState('');

  const names = useMemo(() => new Map(members.map((m) => [m.id, m.name])), [members]);
  const nameOf = useCallback((id: string) => names.get(id) ?? 'unknown user', [names]);
  const colors = useMemo(() => new Map(members.map((m) => [m.id, m.color])), [members]);
  const colorOf = useCallback((id: string) => colors.get(id), [colors]);
  const sends = useSendQueue();
  // mutateAsync is stable, and its promise belongs to this one call (mutate's callbacks fire only for the last one).
  const { mutateAsync: editAsync } = useEditMessageMutation();
  const { mutateAsync: removeAsync } = useDeleteMessageMutation();
  const { mutateAsync: reactAsync } = useReactionMutation();
  const { mutateAsync: pinAsync } = usePinMutation();
  const { mutateAsync: removeEmbedsAsync } = useRemoveEmbedsMutation();
  const blocked = useBlockedIds();
  const actions: RowActions = useMemo(() => {
    const fail = (e: unknown) => setError(errorMessage(e));
    return {
      canManage,
      canPin,
      myId: me?.id,
      nameOf,
      colorOf,
      roleOf,
      channelOf,
      isBlocked: (userId) => blocked.has(userId),
      isMentioned: (m) => m.author.id !== me?.id && mentionsMe(m, me?.id, myRoleIds),
      onReply: (m) => setReplyTo(m),
      onEdit: (m) => setEditingId(m?.id ?? null),
      onSaveEdit: (m, content) => {
        setEditingId(null);
        if (content !== m.content) editAsync({ message: m, content }).catch(fail);
      },
      onDelete: (m, skipConfirm) => (skipConfirm ? void removeAsync(m).catch(fail) : setConfirmDelete(m)),
      onReact: (m, emoji, on) => void reactAsync({ message: m, emoji, on }).catch(fail),
      onPin: (m) => void pinAsync({ message: m, pinned: !m.pinned }).catch(fail),
      onRemoveEmbeds: (m) => void removeEmbedsAsync(m).catch(fail),
      // A failed send shows as "Not sent" on the message itself, and the ones after it as waiting.
      onRetry: sends.retry,
      onDiscard: sends.discard,
      onCopyLink: async (m) => {
        // The /channels/:id/:messageId form: it opens for anyone who may read the channel, server or DM.
        const link = onServer(`/channels/${m.channelId}/${m.id}`);
        try {
          await navigator.clipboard.writeText(link);
          setNotice('Message link copied.');
          return true;
        } catch {
          setError(`This browser does not let the page copy here. The message's link: ${link}`);
          return false;
        }
      },
    };
  }, [
    canManage,
    canPin,
    me,
    nameOf,
    colorOf,
    roleOf,
    channelOf,
    myRoleIds,
    blocked,
    editAsync,
    removeAsync,
    reactAsync,
    pinAsync,
    removeEmbedsAsync,
    sends,
  ]);

  const tray = useUploadTray(channelId);
  const [dropping, setDropping] = useState(false);
  const carriesFiles = (e: React.DragEvent) => e.dataTransfer.types.includes('Files');

  const lastOwnMessage = useLastOwnMessage(channelId, me?.id);
  const editLast = () => {
    const last = lastOwnMessage();
    if (last) setEditingId(last.id);
  };

  return (
    <div
      className="relative flex min-h-0 min-w-0 flex-1 flex-col"
      data-testid="channel-drop-zone"
      onDragOver={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false);
      }}
      onDrop={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        setDropping(false);
        tray.add([...e.dataTransfer.files]);
      }}
    >
      {dropping && (
        <div className="pointer-events-none absolute inset-2 z-40 grid place-items-center rounded-lg border-2 border-dashed border-brand bg-white/80 text-lg font-semibold dark:bg-zinc-900/80">
          Drop files to send them in {label}
        </div>
      )}
      <p role="status" className="sr-only">
        {notice}
      </p>
      <MessageList channelId={channelId} target={target} editingId={editingId} actions={actions} header={header} />
      {error && (
        <div
          role="alert"
          className="mx-4 mb-1 flex justify-between rounded bg-red-100 px-3 py-1 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {error}
          <button type="button" onClick={() => setError(null)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {confirmDelete && (
        <ConfirmDialog
          title="Delete message"
          confirmLabel="Delete"
          onClose={() => setConfirmDelete(null)}
          onConfirm={() => {
            setConfirmDelete(null);
            void removeAsync(confirmDelete).catch((e: unknown) => setError(errorMessage(e)));
          }}
        >
          <p>Are you sure you want to delete this message? This cannot be undone.</p>
          <blockquote className="mt-3 max-h-40 overflow-hidden rounded-md border border-zinc-300 p-2 whitespace-pre-wrap break-words dark:border-zinc-700">
            <span className="font-semibold">{displayName(confirmDelete.author)}</span>
            <br />
            {mentionsAsText(confirmDelete.content, { nameOf, roleOf, channelOf })}
          </blockquote>
          <p className="mt-3 text-xs text-zinc-600 dark:text-zinc-400">Tip: hold Shift when you click Delete to skip this question.</p>
        </ConfirmDialog>
      )}
      <TypingIndicator channelId={channelId} nameOf={nameOf} />
      <Composer
        channelId={channelId}
        label={label}
        me={me}
        replyTo={replyTo}
        onCancelReply={() => {
          setReplyTo(null);
          setEditingId(null);
        }}
        onEditLast={editLast}
        members={members}
        tray={tray}
        timedOutUntil={timedOutUntil}
      />
    </div>
  );
}
