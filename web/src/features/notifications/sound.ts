/**
 * The pop-up's sound: a short two-note chime made with Web Audio (no sound file to fetch or cache). Browsers allow
 * it once the user has interacted with the page, which they have whenever they are signed in and chatting.
 */
let context: AudioContext | null = null;

export function playNotificationSound(): void {
  if (typeof AudioContext === 'undefined') return;
  try {
    context ??= new AudioContext();
    const now = context.currentTime;
    for (const [i, frequency] of [880, 1320].entries()) {
      const tone = context.createOscillator();
      const gain = context.createGain();
      tone.type = 'sine';
      tone.frequency.value = frequency;
      const start = now + i * 0.12;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
      tone.connect(gain).connect(context.destination);
      tone.start(start);
      tone.stop(start + 0.3);
    }
  } catch {
    // No audio output: the pop-up alone has to do.
  }
}
