import { afterEach, describe, expect, it } from 'vitest';
import { answerOf, callTag, channelOfCallTag, notifyIncomingCall, type CallAnswer } from './callNotification';

/** A Notification constructor that records what was shown and closed. */
function recordingNotifications() {
  const shown: {
    title: string;
    options: NotificationOptions & { actions?: unknown };
    closed: boolean;
    onclick: ((e: Event) => void) | null;
  }[] = [];
  class Recorded {
    static permission = 'granted';
    private readonly entry;
    constructor(title: string, options: NotificationOptions) {
      this.entry = { title, options, closed: false, onclick: null as ((e: Event) => void) | null };
      shown.push(this.entry);
    }
    set onclick(handler: (e: Event) => void) {
      this.entry.onclick = handler;
    }
    close() {
      this.entry.closed = true;
    }
  }
  return { shown, Notification: Recorded as unknown as typeof Notification };
}

function surroundings(focused: boolean) {
  const win = new EventTarget() as EventTarget & { focus(): void; focused: number };
  win.focused = 0;
  win.focus = () => void win.focused++;
  const doc = new EventTarget() as EventTarget & { hasFocus(): boolean; visibilityState: DocumentVisibilityState };
  doc.visibilityState = 'visible';
  doc.hasFocus = () => focused;
  return { win, doc, setFocused: (f: boolean) => (focused = f) };
}

const call = { channelId: 'dm1', title: 'Alice is calling', body: 'Incoming call' };

describe('the incoming-call notification', () => {
  afterEach(() => delete (window as { kamachatDesktop?: unknown }).kamachatDesktop);

  it('is not shown to a focused window, is raised when the focus goes, and is withdrawn once', () => {
    const { shown, Notification } = recordingNotifications();
    const { win, doc, setFocused } = surroundings(true);
    const withdraw = notifyIncomingCall(call, () => undefined, { window: win, document: doc, Notification });
    expect(shown).toHaveLength(0);

    setFocused(false);
    win.dispatchEvent(new Event('blur'));
    win.dispatchEvent(new Event('blur'));
    expect(shown).toHaveLength(1);
    expect(shown[0]!.title).toBe('Alice is calling');
    expect(shown[0]!.options).toMatchObject({
      tag: 'call-dm1',
      requireInteraction: true,
      data: { path: '/channels/@me/dm1', category: 'call.incoming' },
    });
    // A browser refuses buttons outside a service worker: only the desktop app gets them.
    expect(shown[0]!.options.actions).toBeUndefined();

    withdraw();
    expect(shown[0]!.closed).toBe(true);
    win.dispatchEvent(new Event('blur'));
    expect(shown).toHaveLength(1);
  });

  it('has Accept and Decline in the desktop app, and hands the clicked one back', () => {
    (window as { kamachatDesktop?: unknown }).kamachatDesktop = {};
    const { shown, Notification } = recordingNotifications();
    const { win, doc } = surroundings(false);
    const answers: CallAnswer[] = [];
    notifyIncomingCall(call, (a) => answers.push(a), { window: win, document: doc, Notification });
    expect(shown[0]!.options.actions).toEqual([
      { action: 'accept', title: 'Accept' },
      { action: 'decline', title: 'Decline', background: true },
    ]);

    for (const action of ['accept', 'decline', '']) {
      const event = Object.assign(new Event('click', { cancelable: true }), { action });
      shown[0]!.onclick!(event);
      expect(event.defaultPrevented).toBe(true);
    }
    expect(answers).toEqual(['accept', 'decline', 'open']);
    // Accept and the body bring the window up; Decline leaves it where it is.
    expect(win.focused).toBe(2);
  });

  it('names its conversation in its tag', () => {
    expect(channelOfCallTag(callTag('abc'))).toBe('abc');
    expect(channelOfCallTag('message-abc')).toBeNull();
    expect([answerOf('accept'), answerOf('decline'), answerOf(undefined), answerOf('other')]).toEqual([
      'accept',
      'decline',
      'open',
      'open',
    ]);
  });
});
