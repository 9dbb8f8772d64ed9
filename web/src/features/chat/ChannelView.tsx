import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Message } from '../../api/types';
import { errorMessage } from '../../api/errors';
import { useMe } from '../auth/session';
import { keys, type Typing } from '../gateway/cache';
import { useCached } from '../gateway/GatewayProvider';
import type { ChatMessage, MessagePage } from '../gateway/messageStore';
import { discardFailed, messageActions, retrySend } from './api';
import { Composer, type Mentionable } from './Composer';
import { MessageList } from './MessageList';
import type { RowActions } from './MessageRow';

function TypingIndicator({ channelId, nameOf }: { channelId: string; nameOf: (id: string) => string }) {
  const typing = useCached<Typing>(keys.typing(channelId), {});
  const [now, setNow] = useState(Date.now());
  const active = Object.entries(typing).filter(([, until]) => until > now).map(([id]) => nameOf(id));
  useEffect(() => {
    if (!active.length) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active.length]);
  useEffect(() => setNow(Date.now()), [typing]);
  return (
    <div aria-live="polite" className="h-5 px-4 text-xs text-zinc-700 dark:text-zinc-300">
      {active.length === 1 && `${active[0]} is typing…`}
      {active.length > 1 && `${active.join(', ')} are typing…`}
    </div>
  );
}

/** A conversation (server channel or DM): its messages, who is typing, and the composer. */
export function ChannelView({ channelId, label, header, members, canManage, canPin }: {
  channelId: string; label: string; header: React.ReactNode; members: Mentionable[]; canManage: boolean; canPin: boolean;
}) {
  const qc = useQueryClient();
  const { data: me } = useMe();
  const [editingId, setEditingId] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setEditingId(null);
    setReplyTo(null);
    setError(null);
  }, [channelId]);

  const names = useMemo(() => new Map(members.map((m) => [m.id, m.name])), [members]);
  const nameOf = useCallback((id: string) => names.get(id) ?? 'unknown user', [names]);
  const fail = (e: unknown) => setError(errorMessage(e));

  const actions: RowActions = useMemo(() => ({
    canManage, canPin, myId: me?.id, nameOf,
    onReply: (m) => setReplyTo(m),
    onEdit: (m) => setEditingId(m?.id ?? null),
    onSaveEdit: (m, content) => {
      setEditingId(null);
      if (content !== m.content) messageActions.edit(m, content).catch(fail);
    },
    onDelete: (m) => void messageActions.remove(m).catch(fail),
    onReact: (m, emoji, on) => void messageActions.react(m, emoji, on).catch(fail),
    onPin: (m) => void messageActions.pin(m, !m.pinned).catch(fail),
    onRetry: (m) => me && void retrySend(qc, me, m),
    onDiscard: (m) => discardFailed(qc, m),
  }), [canManage, canPin, me, nameOf, qc]);

  const editLast = () => {
    const page = qc.getQueryData<MessagePage>(keys.messages(channelId));
    const last = [...(page?.messages ?? [])].reverse().find((m: ChatMessage) => m.author.id === me?.id && !m.localState);
    if (last) setEditingId(last.id);
  };

  return (
    <div className="flex min-h-0 min-w-0 flex-1 flex-col">
      <MessageList channelId={channelId} editingId={editingId} actions={actions} header={header} />
      {error && (
        <div role="alert" className="mx-4 mb-1 flex justify-between rounded bg-red-100 px-3 py-1 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
          {error}
          <button type="button" onClick={() => setError(null)} aria-label="Dismiss">✕</button>
        </div>
      )}
      <TypingIndicator channelId={channelId} nameOf={nameOf} />
      <Composer channelId={channelId} label={label} me={me} replyTo={replyTo} onCancelReply={() => { setReplyTo(null); setEditingId(null); }} onEditLast={editLast} members={members} />
    </div>
  );
}
