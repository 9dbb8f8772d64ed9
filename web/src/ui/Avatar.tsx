import { useState } from 'react';
import { onServer } from '../api/config';
import { liveAvatarUrl, useLiveProfile } from '../features/users/liveProfiles';
import { firstGrapheme } from './initials';

const SIZES = { sm: 'size-8 text-xs', md: 'size-10 text-sm', rail: 'size-12 text-base', lg: 'size-20 text-2xl' } as const;

/**
 * A user's picture, or their initial on a colour derived from their id when there is none (or it fails to load). A
 * picture changed since `url` was fetched (announced by the gateway) shows instead.
 */
export function Avatar({
  id,
  name,
  url: fetched,
  size = 'md',
}: {
  id: string;
  name: string;
  url?: string | null;
  size?: keyof typeof SIZES;
}) {
  const url = liveAvatarUrl(useLiveProfile(id), fetched);
  const [failed, setFailed] = useState<string | null>(null);
  const showImage = url && failed !== url;
  const hue = [...id].reduce((sum, ch) => (sum * 31 + ch.charCodeAt(0)) % 360, 7);
  return showImage ? (
    <img src={onServer(url)} alt="" onError={() => setFailed(url)} className={`${SIZES[size]} shrink-0 rounded-full object-cover`} />
  ) : (
    <span
      aria-hidden="true"
      style={{ backgroundColor: `hsl(${hue} 45% 32%)` }}
      className={`${SIZES[size]} inline-flex shrink-0 select-none items-center justify-center rounded-full font-semibold text-white`}
    >
      {firstGrapheme(name)}
    </span>
  );
}
