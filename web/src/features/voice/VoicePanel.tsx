import { useSyncExternalStore } from 'react';
import { useServers } from '../servers/queries';
import { leaveVoice, toggleCamera, toggleDeafen, toggleMute, toggleScreen, voiceStore } from './store';

export const useCall = () => useSyncExternalStore(voiceStore.subscribe, voiceStore.get);
export const useVoiceError = () => useSyncExternalStore(voiceStore.subscribe, voiceStore.getError);

const button =
  'rounded px-2 py-1 text-xs font-medium bg-zinc-300/70 hover:bg-zinc-300 dark:bg-zinc-700/70 dark:hover:bg-zinc-600 aria-pressed:bg-red-600 aria-pressed:text-white';
const onButton =
  'rounded px-2 py-1 text-xs font-medium bg-zinc-300/70 hover:bg-zinc-300 dark:bg-zinc-700/70 dark:hover:bg-zinc-600 aria-pressed:bg-emerald-600 aria-pressed:text-white';

/** Above the user panel while in a call: where, and mute, deafen, camera, screen share, disconnect. Also shows why a join failed. */
export function VoicePanel({ className = '' }: { className?: string }) {
  const call = useCall();
  const error = useVoiceError();
  const servers = useServers();
  if (!call && !error) return null;
  const channel = call && servers.find((s) => s.id === call.serverId)?.channels.find((c) => c.id === call.channelId);
  return (
    <section
      aria-label="Voice"
      className={`border-t border-zinc-300 bg-zinc-200/60 px-2 py-2 text-sm dark:border-black/30 dark:bg-[#232428] ${className}`}
    >
      {error && (
        <p role="alert" className="mb-1 text-red-700 dark:text-red-400">
          {error}{' '}
          <button type="button" className="underline" onClick={() => voiceStore.fail(null)}>
            Dismiss
          </button>
        </p>
      )}
      {call && (
        <>
          <p
            className={`font-semibold ${call.status === 'connected' ? 'text-emerald-700 dark:text-emerald-400' : 'text-amber-700 dark:text-amber-400'}`}
          >
            {call.status === 'connected' ? 'Voice connected' : 'Connecting…'}
          </p>
          <p className="truncate text-xs text-zinc-600 dark:text-zinc-400">
            🔊 {channel?.name ?? 'Voice channel'}
            {call.mesh && ' · peer to peer'}
          </p>
          {call.pushToTalk && call.canSpeak && (
            <p className="text-xs text-zinc-600 dark:text-zinc-400" aria-live="polite">
              {call.talking ? 'Talking' : 'Push to talk: hold the key to speak'}
            </p>
          )}
          <div className="mt-1 flex flex-wrap gap-1">
            <button type="button" className={button} aria-pressed={call.muted} disabled={!call.canSpeak} onClick={toggleMute}>
              {call.muted ? 'Unmute' : 'Mute'}
            </button>
            <button type="button" className={button} aria-pressed={call.deafened} onClick={toggleDeafen}>
              {call.deafened ? 'Undeafen' : 'Deafen'}
            </button>
            {call.canVideo && (
              <>
                <button type="button" className={onButton} aria-pressed={call.camera} onClick={toggleCamera}>
                  {call.camera ? 'Camera off' : 'Camera'}
                </button>
                <button type="button" className={onButton} aria-pressed={call.screen} onClick={toggleScreen}>
                  {call.screen ? 'Stop sharing' : 'Share screen'}
                </button>
              </>
            )}
            <button
              type="button"
              className="ml-auto rounded bg-red-600 px-2 py-1 text-xs font-medium text-white hover:bg-red-700"
              onClick={() => void leaveVoice()}
            >
              Disconnect
            </button>
          </div>
        </>
      )}
    </section>
  );
}
