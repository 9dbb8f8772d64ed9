import type { DmCallState } from '../gateway/protocol';

/** What our side of a DM call shows: our own camera or screen (`preview`), and the video received from each other. */
export interface LocalVideo<S> {
  camera: boolean;
  screen: boolean;
  preview: S | null;
  videos: Record<string, S>;
}

/**
 * The tiles of a DM call, ours first: our own preview while our camera is on or we share, then each other participant
 * the call state says has the camera on (`video`) or shares a screen (`stream`, which wins), once their video arrived.
 * Someone who stopped keeps a received (silent) track: the state, not the track, decides.
 */
export function callTiles<S>(
  state: Pick<DmCallState, 'participants' | 'video' | 'stream'>,
  mine: LocalVideo<S>,
  myId: string | undefined,
  nameOf: (userId: string) => string,
): { userId: string; stream: S; label: string; mirrored: boolean }[] {
  const tiles = [];
  if (mine.preview && (mine.camera || mine.screen))
    tiles.push({ userId: myId ?? '', stream: mine.preview, label: mine.screen ? 'Your screen' : 'Your camera', mirrored: mine.camera });
  for (const userId of state.participants) {
    const stream = mine.videos[userId];
    const screen = state.stream.includes(userId);
    if (userId === myId || !stream || !(screen || state.video.includes(userId))) continue;
    tiles.push({ userId, stream, label: `${screen ? 'Screen of' : 'Camera of'} ${nameOf(userId)}`, mirrored: false });
  }
  return tiles;
}
