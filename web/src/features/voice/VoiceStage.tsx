import { useGateway, useVoiceStates } from '../gateway/context';
import type { VoiceState } from '../gateway/protocol';
import { useMembers } from '../servers/queries';
import { displayName } from '../users/displayName';
import { VideoGrid, type VideoTile } from './VideoGrid';
import { useCall } from './VoicePanel';

/**
 * The videos of our voice channel (ours from the local preview, the others' from what Janus or each peer sends), in
 * the grid of tiles calls share. Audio plays elsewhere (call.ts), this is only pictures.
 */
export function VoiceStage() {
  const call = useCall();
  const states = useVoiceStates();
  const gateway = useGateway();
  const { data: members = [] } = useMembers(call?.serverId);
  if (!call) return null;
  const showing = (s: VoiceState) => s.channelId === call.channelId && (s.video || s.stream);
  const tiles = Object.values(states)
    .filter(showing)
    .flatMap((s): VideoTile[] => {
      const mine = s.userId === gateway.userId;
      const stream = mine ? call.preview : call.videos[s.userId];
      const member = members.find((m) => m.userId === s.userId);
      const name = member ? displayName(member) : 'Someone';
      const label = `${s.stream ? 'Screen of' : 'Camera of'} ${name}`;
      return stream ? [{ userId: s.userId, stream, label, mirrored: mine && !s.stream }] : [];
    });
  return <VideoGrid tiles={tiles} />;
}
