import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { usePageTitle } from '../../ui/usePageTitle';
import { keyLabel, microphoneConstraints, voiceSettings, type VoiceSettings as Settings } from '../voice/settings';
import { SectionHeading } from './SettingsLayout';

const select =
  'w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-600 dark:bg-zinc-800 disabled:opacity-60';
const button = 'rounded-md bg-zinc-300/70 px-3 py-1.5 text-sm font-medium hover:bg-zinc-300 dark:bg-zinc-700/70 dark:hover:bg-zinc-600';
const legend = 'mb-2 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400';

function useVoiceSettings(): Settings {
  return useSyncExternalStore(voiceSettings.subscribe, voiceSettings.get);
}

/**
 * The browser's media devices, again whenever one is plugged in or out (labels only once media access was given);
 * `loaded` once the first listing answered, so nothing is offered before the browser said what it has.
 */
function useDevices() {
  // Without mediaDevices (an insecure origin) there is nothing to wait for.
  const [devices, setDevices] = useState<MediaDeviceInfo[] | null>(() => (navigator.mediaDevices ? null : []));
  const refresh = () => void navigator.mediaDevices?.enumerateDevices().then(setDevices, () => setDevices([]));
  useEffect(() => {
    refresh();
    navigator.mediaDevices?.addEventListener('devicechange', refresh);
    return () => navigator.mediaDevices?.removeEventListener('devicechange', refresh);
  }, []);
  return { devices: devices ?? [], loaded: devices !== null, refresh };
}

/** How much the meter falls per tick: a peak stays visible for a while, as on a level meter, not only while it lasts. */
const meterFall = 5;

function DevicePicker({
  label,
  kind,
  devices,
  value,
  onChange,
  disabled,
}: {
  label: string;
  kind: MediaDeviceKind;
  devices: MediaDeviceInfo[];
  value: string | null;
  onChange: (id: string | null) => void;
  disabled?: boolean;
}) {
  const mine = devices.filter((d) => d.kind === kind && d.deviceId && d.deviceId !== 'default');
  return (
    <label className="block text-sm">
      <span className="mb-1 block font-medium">{label}</span>
      <select className={select} value={value ?? ''} disabled={disabled} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">Default</option>
        {mine.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${label} ${i + 1}`}
          </option>
        ))}
        {value && !mine.some((d) => d.deviceId === value) && <option value={value}>A device not connected now</option>}
      </select>
    </label>
  );
}

/** "Test my microphone": the chosen microphone's level, live, with the chosen processing. */
function MicrophoneTest({ settings }: { settings: Settings }) {
  const [level, setLevel] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const stopRef = useRef<(() => void) | null>(null);
  // Which start is current: one still opening the microphone when stopped (or started again) closes what it opened.
  const runRef = useRef(0);
  const stop = () => {
    runRef.current++;
    stopRef.current?.();
    stopRef.current = null;
    setLevel(null);
  };
  useEffect(() => stop, []);
  // Another device or processing: test that instead.
  useEffect(() => {
    if (stopRef.current) void start();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- restarts only when the microphone's settings change.
  }, [settings.microphone, settings.echoCancellation, settings.noiseSuppression]);

  async function start() {
    const run = ++runRef.current;
    stopRef.current?.();
    stopRef.current = null;
    setError(null);
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: microphoneConstraints(settings) });
    } catch (e) {
      if (run !== runRef.current) return;
      setError(
        e instanceof DOMException && e.name === 'NotAllowedError'
          ? 'Microphone access was refused.'
          : 'The microphone could not be opened.',
      );
      return;
    }
    if (run !== runRef.current) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    // Each tick reads the last ~23 ms (1024 samples); ticks 50 ms apart with a falling peak show a short sound (a
    // syllable, a click) for about a second instead of only if a tick happened to land on it.
    let shown = 0;
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      // RMS on a rough perceptual scale: quiet speech shows, a shout fills the bar.
      const now = Math.min(100, Math.round(Math.sqrt(sum / samples.length) * 400));
      shown = Math.max(now, shown - meterFall);
      setLevel(shown);
    }, 50);
    stopRef.current = () => {
      clearInterval(timer);
      stream.getTracks().forEach((t) => t.stop());
      void context.close();
    };
    setLevel(0);
  }

  return (
    <div className="mt-3">
      <button type="button" className={button} onClick={() => (level === null ? void start() : stop())}>
        {level === null ? 'Test my microphone' : 'Stop test'}
      </button>
      {level !== null && (
        <div
          role="meter"
          aria-label="Input level"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={level}
          className="mt-2 h-3 w-full overflow-hidden rounded bg-zinc-300 dark:bg-zinc-700"
        >
          <div className="h-full bg-emerald-600 transition-[width]" style={{ width: `${level}%` }} />
        </div>
      )}
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

function KeyBinding({ code }: { code: string }) {
  const [listening, setListening] = useState(false);
  useEffect(() => {
    if (!listening) return;
    const pick = (e: KeyboardEvent) => {
      e.preventDefault();
      if (e.code !== 'Escape') voiceSettings.update({ pttKey: e.code });
      setListening(false);
    };
    window.addEventListener('keydown', pick, { once: true });
    return () => window.removeEventListener('keydown', pick);
  }, [listening]);
  return (
    <button type="button" className={button} aria-live="polite" onClick={() => setListening(true)}>
      {listening ? 'Press a key… (Esc cancels)' : `Push-to-talk key: ${keyLabel(code)}`}
    </button>
  );
}

/** Voice & Video: devices, microphone test and processing, voice activity or push-to-talk. */
export default function VoiceSettings() {
  usePageTitle('Voice & Video');
  const settings = useVoiceSettings();
  const { devices, loaded, refresh } = useDevices();
  const labelled = devices.some((d) => d.label);
  const canPickSpeaker = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

  async function allow() {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      stream.getTracks().forEach((t) => t.stop());
    } catch {
      // Refused or no camera: what was allowed still shows its names.
    }
    refresh();
  }

  return (
    <>
      <SectionHeading title="Voice & Video" description="Saved on this browser; a call you are in follows changes at once." />
      <fieldset className="mb-6">
        <legend className={legend}>Devices</legend>
        {loaded && !labelled && (
          <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
            The browser names your devices once this site may use them.{' '}
            <button type="button" className="underline" onClick={() => void allow()}>
              Allow access
            </button>
          </p>
        )}
        <div className="grid gap-3 md:grid-cols-2">
          <DevicePicker
            label="Microphone"
            kind="audioinput"
            devices={devices}
            value={settings.microphone}
            onChange={(microphone) => voiceSettings.update({ microphone })}
          />
          <DevicePicker
            label="Speaker"
            kind="audiooutput"
            devices={devices}
            value={settings.speaker}
            disabled={!canPickSpeaker}
            onChange={(speaker) => voiceSettings.update({ speaker })}
          />
          <DevicePicker
            label="Camera"
            kind="videoinput"
            devices={devices}
            value={settings.camera}
            onChange={(camera) => voiceSettings.update({ camera })}
          />
        </div>
        {!canPickSpeaker && (
          <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">This browser plays calls on its default speaker.</p>
        )}
        <MicrophoneTest settings={settings} />
      </fieldset>
      <fieldset className="mb-6">
        <legend className={legend}>Microphone processing</legend>
        {(
          [
            ['echoCancellation', 'Echo cancellation'],
            ['noiseSuppression', 'Noise suppression'],
          ] as const
        ).map(([key, label]) => (
          <label key={key} className="mb-1 flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              className="size-4 accent-brand"
              checked={settings[key]}
              onChange={(e) => voiceSettings.update({ [key]: e.target.checked })}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend className={legend}>Input mode</legend>
        {(
          [
            ['voice', 'Voice activity', 'Your microphone is open while you are in a call (unless muted).'],
            [
              'ptt',
              'Push to talk',
              'Your microphone opens only while you hold the key, with this tab in front (or anywhere, in the desktop app).',
            ],
          ] as const
        ).map(([mode, label, description]) => (
          <label key={mode} className="mb-2 flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="voice-mode"
              className="mt-0.5 size-4 accent-brand"
              checked={settings.mode === mode}
              onChange={() => voiceSettings.update({ mode })}
            />
            <span>
              <span className="block font-medium">{label}</span>
              <span className="text-zinc-600 dark:text-zinc-400">{description}</span>
            </span>
          </label>
        ))}
        {settings.mode === 'ptt' && <KeyBinding code={settings.pttKey} />}
      </fieldset>
    </>
  );
}
