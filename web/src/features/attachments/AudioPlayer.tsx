import { useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { Attachment } from './MessageAttachments';
import { mediaUrl } from './upload';
import { decodeWaveform, formatTime, playedBars, seekFraction } from './waveform';

const SEEK_STEP_SECONDS = 5;

/**
 * An audio attachment: play/pause, and the waveform the server computed with what has played drawn over it; a click
 * on the waveform (or ←/→ on it, a slider) seeks. Without a waveform (an old upload) a plain bar stands in for it.
 */
export function AudioPlayer({ attachment: a }: { attachment: Attachment }) {
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState((a.durationMs ?? 0) / 1000);
  const peaks = decodeWaveform(a.waveform);
  const bars = peaks.length > 0 ? peaks : Array<number>(50).fill(0.15);
  const played = playedBars(duration > 0 ? time / duration : 0, bars.length);

  const seekTo = (seconds: number) => {
    const element = audio.current;
    if (!element || !(duration > 0)) return;
    element.currentTime = Math.min(duration, Math.max(0, seconds));
    setTime(element.currentTime);
  };
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    seekTo(seekFraction(e.clientX - box.left, box.width) * duration);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowLeft: -SEEK_STEP_SECONDS, ArrowRight: SEEK_STEP_SECONDS };
    if (e.key === 'Home') seekTo(0);
    else if (e.key === 'End') seekTo(duration);
    else if (moves[e.key] !== undefined) seekTo(time + moves[e.key]!);
    else return;
    e.preventDefault();
  };
  const toggle = () => {
    const element = audio.current;
    if (!element) return;
    if (element.paused) void element.play().catch(() => setPlaying(false));
    else element.pause();
  };

  return (
    <div
      className="flex w-96 max-w-full flex-col gap-1 rounded-md border border-zinc-300 bg-zinc-50 p-2 dark:border-zinc-700 dark:bg-zinc-900"
      data-testid="attachment-audio"
    >
      <div className="truncate text-sm font-medium" title={a.fileName}>
        {a.fileName}
      </div>
      <div className="flex items-center gap-2">
        <button
          type="button"
          onClick={toggle}
          aria-label={`${playing ? 'Pause' : 'Play'} ${a.fileName}`}
          className="flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-brand text-white hover:bg-brand-strong"
        >
          <span aria-hidden="true">{playing ? '❚❚' : '▶'}</span>
        </button>
        {/* A slider seeks by keyboard; a click anywhere on it seeks by pointer. */}
        <div
          role="slider"
          tabIndex={0}
          aria-label={`Position in ${a.fileName}`}
          aria-valuemin={0}
          aria-valuemax={Math.round(duration)}
          aria-valuenow={Math.round(time)}
          aria-valuetext={`${formatTime(time)} of ${formatTime(duration)}`}
          onClick={onClick}
          onKeyDown={onKeyDown}
          className="flex h-8 min-w-0 flex-1 cursor-pointer items-center gap-px"
          data-testid="waveform"
          data-played={played}
        >
          {bars.map((peak, i) => (
            <span
              key={i}
              aria-hidden="true"
              className={`min-w-px flex-1 rounded-sm ${i < played ? 'bg-brand' : 'bg-zinc-400 dark:bg-zinc-600'}`}
              style={{ height: `${Math.max(8, peak * 100)}%` }}
            />
          ))}
        </div>
        <span className="shrink-0 text-xs text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="audio-time">
          {formatTime(time)} / {formatTime(duration)}
        </span>
      </div>
      {/* eslint-disable-next-line jsx-a11y/media-has-caption -- people's own uploads come without captions */}
      <audio
        ref={audio}
        preload="metadata"
        src={a.url ? mediaUrl(a.url) : undefined}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
        onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
        onLoadedMetadata={(e) => Number.isFinite(e.currentTarget.duration) && setDuration(e.currentTarget.duration)}
      />
    </div>
  );
}
