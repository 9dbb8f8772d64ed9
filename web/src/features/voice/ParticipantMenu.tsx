import { useEffect, useRef, type ReactNode } from 'react';
import { useGateway } from '../gateway/context';
import type { ReadyChannel, VoiceState } from '../gateway/protocol';
import { has, P } from '../servers/permissions';
import { voiceStore } from './store';

/** What a moderator may do to someone in a voice channel, from their permissions in that channel. */
export function moderatorActions(permissions: string | undefined) {
  return {
    mute: has(permissions, P.MUTE_MEMBERS),
    deafen: has(permissions, P.DEAFEN_MEMBERS),
    move: has(permissions, P.MOVE_MEMBERS),
  };
}

/**
 * A participant's menu in the sidebar (right click, or the menu key / Shift+F10 on them): server mute and deafen,
 * move to another voice channel, disconnect, as the viewer's permissions allow. The server checks them again.
 */
export function ParticipantMenu({
  state,
  name,
  channel,
  channels,
  onClose,
}: {
  state: VoiceState;
  name: string;
  channel: ReadyChannel;
  channels: ReadyChannel[];
  onClose: () => void;
}) {
  const gateway = useGateway();
  const menu = useRef<HTMLDivElement>(null);
  const can = moderatorActions(channel.permissions);
  useEffect(() => {
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const closeOutside = (e: PointerEvent) => !menu.current?.contains(e.target as Node) && onClose();
    document.addEventListener('pointerdown', closeOutside);
    return () => document.removeEventListener('pointerdown', closeOutside);
  }, [onClose]);
  const run = (method: string, ...args: unknown[]) => {
    onClose();
    gateway.invoke(method, state.userId, ...args).catch((e: unknown) => {
      voiceStore.fail(e instanceof Error ? e.message.replace(/^.*HubException: /, '') : String(e));
    });
  };
  const item = (label: string, onClick: () => void): ReactNode => (
    <button
      key={label}
      type="button"
      role="menuitem"
      onClick={onClick}
      className="block w-full rounded px-2 py-1 text-left hover:bg-brand hover:text-white focus:bg-brand focus:text-white focus:outline-none"
    >
      {label}
    </button>
  );
  const targets = channels.filter((c) => c.type === 'voice' && c.id !== channel.id && has(c.permissions, P.MOVE_MEMBERS));
  return (
    <div
      ref={menu}
      role="menu"
      tabIndex={-1}
      aria-label={`Voice options for ${name}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
      className="absolute left-6 z-40 mt-1 w-56 rounded-md border border-zinc-300 bg-white p-1 text-sm text-zinc-800 shadow-lg dark:border-black/40 dark:bg-[#111214] dark:text-zinc-200"
    >
      {can.mute && item(state.mute ? 'Server unmute' : 'Server mute', () => run('ModerateVoice', { mute: !state.mute, deaf: null }))}
      {can.deafen && item(state.deaf ? 'Server undeafen' : 'Server deafen', () => run('ModerateVoice', { mute: null, deaf: !state.deaf }))}
      {can.move && targets.map((c) => item(`Move to ${c.name}`, () => run('MoveVoice', c.id)))}
      {can.move && item('Disconnect', () => run('DisconnectVoice'))}
    </div>
  );
}
