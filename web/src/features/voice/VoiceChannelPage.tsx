import { Button } from '../../ui/Button';
import { useGateway } from '../gateway/context';
import type { ReadyChannel } from '../gateway/protocol';
import { joinVoice } from './store';
import { useCall } from './VoicePanel';

/**
 * A voice channel's page (a #mention of it, a shared address): what it is, and joining it from here; once in its call
 * (or joining it), that instead of a second Join.
 */
export function VoiceChannelPage({ serverId, channel }: { serverId: string; channel: ReadyChannel }) {
  const gateway = useGateway();
  const call = useCall();
  const inside = call?.channelId === channel.id;
  return (
    <div className="flex flex-col items-center gap-3 p-8 text-center">
      {inside ? (
        <p className="text-zinc-600 dark:text-zinc-400" role="status">
          {call.status === 'connected' ? `You are in ${channel.name}.` : `Joining ${channel.name}…`}
        </p>
      ) : (
        <>
          <p className="text-zinc-600 dark:text-zinc-400">{channel.name} is a voice channel: join it to talk.</p>
          <Button onClick={() => void joinVoice(gateway, serverId, channel.id)}>Join voice</Button>
        </>
      )}
    </div>
  );
}
