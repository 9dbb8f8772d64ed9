import { useMemo, useState } from 'react';
import { useGateway, useVoiceStates } from '../gateway/context';
import type { ReadyChannel } from '../gateway/protocol';
import { useMembers, useServers } from '../servers/queries';
import { displayName } from '../users/displayName';
import { moderatorActions, ParticipantMenu } from './ParticipantMenu';
import { joinVoice } from './store';
import { useCall } from './VoicePanel';

/**
 * A voice channel in the sidebar: click to join; who is in it below, with mute/deafen/camera/screen icons and a
 * speaking ring; a moderator opens a participant's menu with a right click (or the menu button on them).
 */
export function VoiceChannelEntry({ serverId, channel }: { serverId: string; channel: ReadyChannel }) {
  const gateway = useGateway();
  const states = useVoiceStates();
  const call = useCall();
  const { data: members = [] } = useMembers(serverId);
  const here = useMemo(() => Object.values(states).filter((s) => s.channelId === channel.id), [states, channel.id]);
  const inside = call?.channelId === channel.id;
  const channels = useServers().find((s) => s.id === serverId)?.channels ?? [];
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const can = moderatorActions(channel.permissions);
  const moderates = can.mute || can.deafen || can.move;
  return (
    <div>
      <button
        type="button"
        onClick={() => void joinVoice(gateway, serverId, channel.id)}
        aria-label={`${channel.name} (voice)${inside ? ', connected' : ''}`}
        className={`flex w-full items-center gap-1.5 rounded-md px-2 py-1.5 text-left text-[15px] ${inside ? 'bg-zinc-300/70 text-zinc-900 dark:bg-zinc-700/60 dark:text-white' : 'text-zinc-700 hover:bg-zinc-300/40 dark:text-zinc-300 dark:hover:bg-zinc-700/30'}`}
      >
        <span aria-hidden="true" className="text-zinc-500">
          🔊
        </span>
        <span className="min-w-0 flex-1 truncate">{channel.name}</span>
      </button>
      {here.length > 0 && (
        <ul aria-label={`In ${channel.name}`} className="mb-1 ml-6">
          {here.map((s) => {
            const member = members.find((m) => m.userId === s.userId);
            const speaking = !!call?.speaking.includes(s.userId) && !s.selfMute && !s.mute;
            const name = member ? displayName(member) : 'Someone';
            return (
              <li
                key={s.userId}
                data-speaking={speaking}
                onContextMenu={(e) => {
                  if (!moderates) return;
                  e.preventDefault();
                  setMenuFor(s.userId);
                }}
                className="relative flex items-center gap-1.5 py-0.5 text-sm text-zinc-700 dark:text-zinc-300"
              >
                <span
                  aria-hidden="true"
                  className={`size-5 shrink-0 rounded-full bg-zinc-400 ${speaking ? 'ring-2 ring-emerald-500' : ''}`}
                />
                <span className="min-w-0 flex-1 truncate">{name}</span>
                {speaking && <span className="sr-only">speaking</span>}
                {s.selfMute && (
                  <span title="Muted">
                    🎙̸<span className="sr-only">muted</span>
                  </span>
                )}
                {s.mute && (
                  <span title="Server muted" className="text-red-600">
                    🎙̸<span className="sr-only">server muted</span>
                  </span>
                )}
                {s.deaf && (
                  <span title="Server deafened" className="text-red-600">
                    🔇<span className="sr-only">server deafened</span>
                  </span>
                )}
                {s.video && (
                  <span title="Camera on">
                    📷<span className="sr-only">camera on</span>
                  </span>
                )}
                {s.stream && (
                  <span title="Sharing the screen" className="rounded bg-red-600 px-1 text-[10px] font-bold text-white">
                    LIVE<span className="sr-only"> sharing the screen</span>
                  </span>
                )}
                {s.selfDeaf && (
                  <span title="Deafened">
                    🔇<span className="sr-only">deafened</span>
                  </span>
                )}
                {moderates && (
                  <button
                    type="button"
                    aria-haspopup="menu"
                    aria-expanded={menuFor === s.userId}
                    aria-label={`Voice options for ${name}`}
                    onClick={() => setMenuFor(menuFor === s.userId ? null : s.userId)}
                    className="rounded px-1 text-zinc-500 opacity-60 hover:opacity-100 focus:opacity-100"
                  >
                    ⋯
                  </button>
                )}
                {menuFor === s.userId && (
                  <ParticipantMenu state={s} name={name} channel={channel} channels={channels} onClose={() => setMenuFor(null)} />
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
