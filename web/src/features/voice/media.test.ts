import { describe, expect, it } from 'vitest';
import { cameraError, microphoneError, systemBlock } from './media';

/** What Chromium rejects getUserMedia and getDisplayMedia with. */
const refused = (message: string, name = 'NotAllowedError') => new DOMException(message, name);

describe('camera and screen errors', () => {
  it('leave a closed screen picker unsaid, and tell a screen the system will not let the browser record', () => {
    expect(cameraError(refused('Permission denied'), 'screen')).toBeNull();
    expect(cameraError(refused('Permission denied by system'), 'screen')).toBe(
      'Your system does not let the browser record the screen. Allow it in the system’s privacy settings (Screen Recording). Then try again.',
    );
  });

  it('send a camera the user blocked to the site settings, and one the system blocks to the system’s', () => {
    expect(cameraError(refused('Permission denied'), 'camera')).toBe(
      'Camera access was refused. Allow it in the browser’s site settings, then try again.',
    );
    expect(cameraError(refused('Permission denied by system'), 'camera')).toContain('Your system does not let the browser use the camera.');
    expect(cameraError(refused('Requested device not found', 'NotFoundError'), 'camera')).toBe('No camera was found.');
    expect(cameraError(refused('Could not start video source', 'NotReadableError'), 'camera')).toBe(
      'The camera is in use by another program or could not be opened.',
    );
  });

  it('name only a system block as one', () => {
    expect(systemBlock(refused('Permission denied by system'), 'microphone')).toBe(
      'Your system does not let the browser use the microphone. Allow it in the system’s privacy settings (Microphone).',
    );
    expect(systemBlock(refused('Permission denied'), 'microphone')).toBeNull();
    expect(systemBlock(new Error('Permission denied by system'), 'camera')).toBeNull();
  });
});

describe('microphone errors', () => {
  it('send a microphone the user blocked to the site settings, one the system blocks to the system’s, and name the rest', () => {
    expect(microphoneError(refused('Permission denied'))).toBe('Microphone access was refused. Allow it in the browser’s site settings.');
    expect(microphoneError(refused('Permission denied by system'))).toBe(
      'Your system does not let the browser use the microphone. Allow it in the system’s privacy settings (Microphone).',
    );
    expect(microphoneError(refused('Requested device not found', 'NotFoundError'))).toBe('No microphone was found.');
    expect(microphoneError(refused('Could not start audio source', 'NotReadableError'))).toBe(
      'The microphone is in use by another program or could not be opened.',
    );
    expect(microphoneError(new Error('boom'))).toBe('The microphone could not be opened (boom).');
  });
});
