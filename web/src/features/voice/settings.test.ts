import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  localStorage.clear();
  vi.resetModules();
});

describe('voice settings', () => {
  it('start with echo cancellation and noise suppression on, voice activity, default devices', async () => {
    const { voiceSettings, microphoneConstraints } = await import('./settings');
    expect(voiceSettings.get()).toMatchObject({ microphone: null, echoCancellation: true, noiseSuppression: true, mode: 'voice' });
    expect(microphoneConstraints()).toEqual({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });
  });

  it('are remembered, tell subscribers, and ask for the chosen device exactly', async () => {
    const { voiceSettings, microphoneConstraints } = await import('./settings');
    const seen: string[] = [];
    voiceSettings.subscribe((s) => seen.push(s.mode));
    voiceSettings.update({ microphone: 'mic-2', noiseSuppression: false, mode: 'ptt', pttKey: 'KeyV' });
    expect(seen).toEqual(['ptt']);
    vi.resetModules();
    const again = await import('./settings');
    expect(again.voiceSettings.get()).toMatchObject({ microphone: 'mic-2', noiseSuppression: false, mode: 'ptt', pttKey: 'KeyV' });
    expect(microphoneConstraints(again.voiceSettings.get())).toMatchObject({ deviceId: { exact: 'mic-2' }, noiseSuppression: false });
  });

  it('fall back to the defaults when what is stored is not valid', async () => {
    localStorage.setItem('kamachat.voice', '{not json');
    const { voiceSettings } = await import('./settings');
    expect(voiceSettings.get().mode).toBe('voice');
  });

  it('name keys for people', async () => {
    const { keyLabel } = await import('./settings');
    expect([keyLabel('KeyV'), keyLabel('Digit4'), keyLabel('Backquote'), keyLabel('F8')]).toEqual(['V', '4', '`', 'F8']);
  });
});
