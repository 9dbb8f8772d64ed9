import { useEffect, useRef, useState } from 'react';
import { useGateway, useVoiceStates } from '../gateway/context';
import type { VoiceState } from '../gateway/protocol';
import { useMembers } from '../servers/queries';
import { displayName } from '../users/displayName';
import { useCall } from './VoicePanel';

function Video({ stream, label, mirrored }: { stream: MediaStream; label: string; mirrored?: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return (
    <video
      ref={ref}
      autoPlay
      playsInline
      muted
      aria-label={label}
      className={`size-full bg-black object-contain ${mirrored ? '-scale-x-100' : ''}`}
    />
  );
}

/**
 * The videos of our voice channel, above the page while anyone there has a camera on or shares a screen: a grid of
 * tiles (ours from the local preview, the others' from what Janus sends); clicking a tile focuses it (large, the
 * others in a strip), clicking it again goes back to the grid. Audio plays elsewhere (call.ts), this is only pictures.
 */
export function VoiceStage() {
  const call = useCall();
  const states = useVoiceStates();
  const gateway = useGateway();
  const { data: members = [] } = useMembers(call?.serverId);
  const [focused, setFocused] = useState<string | null>(null);
  if (!call) return null;
  const showing = (s: VoiceState) => s.channelId === call.channelId && (s.video || s.stream);
  const tiles = Object.values(states)
    .filter(showing)
    .map((s) => {
      const mine = s.userId === gateway.userId;
      const stream = mine ? call.preview : call.videos[s.userId];
      const member = members.find((m) => m.userId === s.userId);
      const name = member ? displayName(member) : 'Someone';
      return { state: s, mine, stream, label: `${s.stream ? 'Screen of' : 'Camera of'} ${name}` };
    })
    .filter((t) => t.stream);
  if (tiles.length === 0) return null;
  const focus = tiles.find((t) => t.state.userId === focused);
  const others = focus ? tiles.filter((t) => t !== focus) : tiles;
  return (
    <section aria-label="Videos" className="flex max-h-[45vh] shrink-0 flex-col gap-2 bg-zinc-900 p-2">
      {focus && (
        <button
          type="button"
          aria-pressed="true"
          aria-label={`${focus.label}, focused`}
          onClick={() => setFocused(null)}
          className="min-h-0 flex-1 overflow-hidden rounded-md"
        >
          <Video stream={focus.stream!} label={focus.label} mirrored={focus.mine && !focus.state.stream} />
        </button>
      )}
      <ul className={`grid gap-2 ${focus ? 'h-20 auto-cols-[8rem] grid-flow-col' : 'grid-cols-[repeat(auto-fill,minmax(14rem,1fr))]'}`}>
        {others.map((t) => (
          <li key={t.state.userId} className="aspect-video overflow-hidden rounded-md">
            <button
              type="button"
              aria-label={t.label}
              aria-pressed="false"
              onClick={() => setFocused(t.state.userId)}
              className="relative size-full"
            >
              <Video stream={t.stream!} label={t.label} mirrored={t.mine && !t.state.stream} />
              <span className="absolute bottom-1 left-1 rounded bg-black/60 px-1 text-xs text-white">{t.label}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
