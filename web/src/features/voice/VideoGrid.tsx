import { useEffect, useRef, useState } from 'react';

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

/** One picture of a call: whose (`userId`), what it shows (`label`), and whether to mirror it (our own camera). */
export interface VideoTile {
  userId: string;
  stream: MediaStream;
  label: string;
  mirrored: boolean;
}

/**
 * A call's videos (a voice channel's, a DM call's), above the page while anyone has a camera on or shares a screen: a
 * grid of tiles; clicking a tile focuses it (large, the others in a strip), clicking it again goes back to the grid.
 * Only pictures: the sound plays elsewhere.
 */
export function VideoGrid({ tiles }: { tiles: VideoTile[] }) {
  const [focused, setFocused] = useState<string | null>(null);
  if (tiles.length === 0) return null;
  const focus = tiles.find((t) => t.userId === focused);
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
          <Video stream={focus.stream} label={focus.label} mirrored={focus.mirrored} />
        </button>
      )}
      <ul className={`grid gap-2 ${focus ? 'h-20 auto-cols-[8rem] grid-flow-col' : 'grid-cols-[repeat(auto-fill,minmax(14rem,1fr))]'}`}>
        {others.map((t) => (
          <li key={t.userId} className="aspect-video overflow-hidden rounded-md">
            <button
              type="button"
              aria-label={t.label}
              aria-pressed="false"
              onClick={() => setFocused(t.userId)}
              className="relative size-full"
            >
              <Video stream={t.stream} label={t.label} mirrored={t.mirrored} />
              <span className="absolute bottom-1 left-1 rounded bg-black/60 px-1 text-xs text-white">{t.label}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
