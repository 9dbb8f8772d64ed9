import { describe, expect, it } from 'vitest';
import { decodeWaveform, formatTime, playedBars, seekFraction } from './waveform';

describe('waveform', () => {
  it('decodes the server’s base64 peaks to fractions of full scale', () => {
    const base64 = btoa(String.fromCharCode(0, 51, 255));
    expect(decodeWaveform(base64)).toEqual([0, 0.2, 1]);
    expect(decodeWaveform(null)).toEqual([]);
    expect(decodeWaveform('not base64!')).toEqual([]);
  });

  it('turns a click into a position, clamped to the waveform', () => {
    expect(seekFraction(50, 200)).toBe(0.25);
    expect(seekFraction(-10, 200)).toBe(0);
    expect(seekFraction(250, 200)).toBe(1);
    expect(seekFraction(10, 0)).toBe(0);
  });

  it('colours the bars playback has reached', () => {
    expect(playedBars(0, 100)).toBe(0);
    expect(playedBars(0.001, 100)).toBe(1);
    expect(playedBars(0.5, 100)).toBe(50);
    expect(playedBars(2, 100)).toBe(100);
    expect(playedBars(Number.NaN, 100)).toBe(0);
  });

  it('formats times', () => {
    expect(formatTime(0)).toBe('0:00');
    expect(formatTime(65.7)).toBe('1:05');
    expect(formatTime(3725)).toBe('1:02:05');
    expect(formatTime(Number.NaN)).toBe('0:00');
  });
});
