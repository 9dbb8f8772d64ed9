/**
 * The ring of an incoming call, made with Web Audio (no sound file to load): two mixed tones, two seconds on, four
 * off, until stopped. Browsers keep audio silent until the page has had a click or key press; the card still shows.
 */
export class Ringer {
  private context: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;

  start() {
    if (this.context || typeof AudioContext === 'undefined') return;
    const context = new AudioContext();
    this.context = context;
    const ring = () => {
      const gain = context.createGain();
      gain.gain.value = 0.08;
      gain.connect(context.destination);
      for (const frequency of [440, 480]) {
        const tone = context.createOscillator();
        tone.frequency.value = frequency;
        tone.connect(gain);
        tone.start();
        tone.stop(context.currentTime + 2);
      }
    };
    void context.resume().catch(() => undefined);
    ring();
    this.timer = setInterval(ring, 6000);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = undefined;
    void this.context?.close().catch(() => undefined);
    this.context = null;
  }
}
