import { describe, expect, it } from 'vitest';
import { DesktopEventName, desktopBridge, onDesktopEvent } from './desktopBridge';

describe('desktopBridge', () => {
  it('is null in a browser without KamaChat Desktop', () => {
    expect(desktopBridge({})).toBeNull();
  });

  it('hands the host events to a listener until it stops listening', () => {
    const target = new EventTarget();
    const seen: boolean[] = [];
    const stop = onDesktopEvent(DesktopEventName.pushToTalk, (detail) => seen.push(detail.pressed), target);
    target.dispatchEvent(new CustomEvent(DesktopEventName.pushToTalk, { detail: { pressed: true } }));
    stop();
    target.dispatchEvent(new CustomEvent(DesktopEventName.pushToTalk, { detail: { pressed: false } }));
    expect(seen).toEqual([true]);
  });

  it('lets the client take a navigation over by cancelling it', () => {
    const target = new EventTarget();
    onDesktopEvent(DesktopEventName.navigate, (_, event) => event.preventDefault(), target);
    const event = new CustomEvent(DesktopEventName.navigate, { detail: { path: '/invite/abc' }, cancelable: true });
    expect(target.dispatchEvent(event)).toBe(false);
  });
});
