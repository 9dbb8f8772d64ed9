import { useMemo } from 'react';
import { useGateway, useVoiceStates } from '../gateway/context';
import type { ReadyChannel } from '../gateway/protocol';
import { useMembers } from '../servers/queries';
import { displayName } from '../users/displayName';
import { joinVoice } from './store';
import { useCall } from './VoicePanel';

/** A voice channel in the sidebar: click to join; who is in it below, with mute/deafen icons and a speaking ring. */
export function VoiceChannelEntry({ serverId, channel }: { serverId: string; channel: ReadyChannel }) {
  const gateway = useGateway();
  const states = useVoiceStates();
  const call = useCall();
  const { data: members = [] } = useMembers(serverId);
  const here = useMemo(() => Object.values(states).filter((s) => s.channelId === channel.id), [states, channel.id]);
  const inside = call?.channelId === channel.id;
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
            const speaking = !!call?.speaking.includes(s.userId) && !s.selfMute;
            return (
              <li
                key={s.userId}
                data-speaking={speaking}
                className="flex items-center gap-1.5 py-0.5 text-sm text-zinc-700 dark:text-zinc-300"
              >
                <span
                  aria-hidden="true"
                  className={`size-5 shrink-0 rounded-full bg-zinc-400 ${speaking ? 'ring-2 ring-emerald-500' : ''}`}
                />
                <span className="min-w-0 flex-1 truncate">{member ? displayName(member) : 'Someone'}</span>
                {speaking && <span className="sr-only">speaking</span>}
                {s.selfMute && (
                  <span title="Muted">
                    🎙̸<span className="sr-only">muted</span>
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
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
