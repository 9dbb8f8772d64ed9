import type { DmChannel } from '../../api/types';
import { useDmCalls, useGateway } from '../gateway/context';
import { displayName } from '../users/displayName';
import { useNow } from '../../ui/useNow';
import { useDmCall, useDmCallError } from './IncomingCall';
import { VideoGrid } from '../voice/VideoGrid';
import { dmCallStore, hangUp, joinCall, toggleCallCamera, toggleCallMute, toggleCallScreen } from './store';
import { callTiles } from './tiles';

const button = 'rounded px-2.5 py-1 text-sm font-medium';
const toggle = `${button} bg-zinc-200 hover:bg-zinc-300 aria-pressed:bg-emerald-700 aria-pressed:text-white dark:bg-zinc-700`;

/** A running call's time as a clock: 0:07, 12:34, 1:02:03. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** How the call names its people: "You", or a member's display name. */
function namer(dm: DmChannel, myId: string | undefined) {
  return (id: string) => {
    const user = dm.recipients.find((r) => r.id === id);
    return id === myId ? 'You' : user ? displayName(user) : 'Someone';
  };
}

/** The DM header's call button: starts a call, or joins the one going on in the conversation. */
export function CallButton({ dm }: { dm: DmChannel }) {
  const gateway = useGateway();
  const mine = useDmCall();
  const going = useDmCalls()[dm.id];
  if (mine?.channelId === dm.id) return null;
  return (
    <button
      type="button"
      className={`${button} shrink-0 whitespace-nowrap bg-zinc-200 hover:bg-zinc-300 dark:bg-zinc-700 dark:hover:bg-zinc-600`}
      onClick={() => void joinCall(gateway, dm.id, 'start')}
    >
      <span aria-hidden="true">📞 </span>
      {/* In a narrow header (a phone, a tablet beside the list) there is no room for the words: the icon stays, the
          name is still read out. */}
      <span className="@max-xl:sr-only">{going ? 'Join call' : 'Start call'}</span>
    </button>
  );
}

/** Under the DM header while a call goes on there: who is in it, how long it has run, mute and hang up for ours. */
export function CallBar({ dm, myId }: { dm: DmChannel; myId: string | undefined }) {
  const mine = useDmCall();
  const error = useDmCallError();
  const going = useDmCalls()[dm.id];
  const now = useNow(1000);
  const inside = mine?.channelId === dm.id;
  if (!going && !inside && !error) return null;
  const nameOf = namer(dm, myId);
  const connectedAt = going?.connectedAt ?? mine?.connectedAt;
  return (
    <section
      aria-label="Call"
      className="flex flex-wrap items-center gap-2 border-b border-zinc-200 bg-emerald-50 px-4 py-2 text-sm dark:border-black/30 dark:bg-emerald-950/40"
    >
      {error && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {error}{' '}
          <button type="button" className="underline" onClick={() => dmCallStore.fail(null)}>
            Dismiss
          </button>
        </p>
      )}
      {going && (
        <p className="min-w-0 flex-1">
          <span className="font-semibold text-emerald-800 dark:text-emerald-300">
            {inside ? (mine.status === 'connected' ? 'In call' : 'Connecting…') : 'Call going on'}
          </span>
          {connectedAt && <time className="ml-2 tabular-nums">{clock((now - Date.parse(connectedAt)) / 1000)}</time>}
          <span className="ml-2 text-zinc-700 dark:text-zinc-300">
            {going.participants.map(nameOf).join(', ')}
            {going.ringing.length > 0 && ` · ringing ${going.ringing.map(nameOf).join(', ')}`}
          </span>
        </p>
      )}
      {inside && (
        <div className="flex gap-2">
          <button
            type="button"
            aria-pressed={mine.muted}
            className={`${button} bg-zinc-200 hover:bg-zinc-300 aria-pressed:bg-red-700 aria-pressed:text-white dark:bg-zinc-700`}
            onClick={toggleCallMute}
          >
            {mine.muted ? 'Unmute' : 'Mute'}
          </button>
          <button type="button" aria-pressed={mine.camera} className={toggle} onClick={toggleCallCamera}>
            {mine.camera ? 'Camera off' : 'Camera'}
          </button>
          <button type="button" aria-pressed={mine.screen} className={toggle} onClick={toggleCallScreen}>
            {mine.screen ? 'Stop sharing' : 'Share screen'}
          </button>
          <button type="button" className={`${button} bg-red-700 text-white hover:bg-red-800`} onClick={() => void hangUp()}>
            Hang up
          </button>
        </div>
      )}
    </section>
  );
}

/** The pictures of our call in this conversation, in the voice channels' grid of tiles (see callTiles). */
export function CallVideos({ dm, myId }: { dm: DmChannel; myId: string | undefined }) {
  const mine = useDmCall();
  const going = useDmCalls()[dm.id];
  if (mine?.channelId !== dm.id || !going) return null;
  return <VideoGrid tiles={callTiles(going, mine, myId, namer(dm, myId))} />;
}
