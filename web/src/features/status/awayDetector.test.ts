import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AWAY_AFTER_MS, watchForAway } from './awayDetector';

describe('watchForAway', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports away after ten minutes without input and back at the next input', () => {
    const reports: boolean[] = [];
    const stop = watchForAway(window, (away) => reports.push(away));

    vi.advanceTimersByTime(AWAY_AFTER_MS - 1000);
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(reports).toEqual([true]);

    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    expect(reports).toEqual([true, false]);
    stop();
  });

  it('counts the quiet time from the last input, not from the start', () => {
    const reports: boolean[] = [];
    const stop = watchForAway(window, (away) => reports.push(away));

    vi.advanceTimersByTime(AWAY_AFTER_MS - 5000);
    window.dispatchEvent(new Event('pointermove'));
    vi.advanceTimersByTime(5000);
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(AWAY_AFTER_MS - 5000);
    expect(reports).toEqual([true]);
    stop();
  });

  it('reports nothing once stopped', () => {
    const reports: boolean[] = [];
    watchForAway(window, (away) => reports.push(away))();
    vi.advanceTimersByTime(2 * AWAY_AFTER_MS);
    expect(reports).toEqual([]);
  });
});
