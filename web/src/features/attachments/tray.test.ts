import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { admit, formatSize, nameOfPasted, trayReady, uploadRefusal, type TrayFile } from './tray';

const limits = { maxFileBytes: 1000, maxAttachmentsPerMessage: 3 };
const file = (name: string, size: number, type = 'application/octet-stream') => new File([new Uint8Array(size)], name, { type });
const inTray = (n: number): TrayFile[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, name: `f${i}`, size: 1, loaded: 1, state: 'done', uploadId: `${i}` }));

describe('admit', () => {
  it('takes files within the limits and says why the others were refused', () => {
    const { accepted, refusals } = admit([], [file('ok.txt', 10), file('big.bin', 1001), file('empty.txt', 0)], limits);
    expect(accepted.map((f) => f.name)).toEqual(['ok.txt']);
    expect(refusals).toEqual(['big.bin is too large: files can be at most 1000 B.', 'empty.txt is empty.']);
  });

  it('stops at the number of files a message may carry, counting those already in the tray', () => {
    const { accepted, refusals } = admit(inTray(2), [file('a', 1), file('b', 1)], limits);
    expect(accepted.map((f) => f.name)).toEqual(['a']);
    expect(refusals).toEqual(['b was not added: a message can carry at most 3 files.']);
  });
});

describe('uploadRefusal', () => {
  it('words the server refusals a person can act on', () => {
    const problem = (code: string, status: number, retryAfterSeconds?: number) =>
      new ApiError({ status, code, message: code, retryAfterSeconds });
    expect(uploadRefusal(problem('payload_too_large', 413), 'cat.png', { ...limits, maxFileBytes: 25 * 1024 * 1024 })).toBe(
      'cat.png is too large: files can be at most 25 MB.',
    );
    expect(uploadRefusal(problem('rate_limited', 429, 12), 'cat.png', limits)).toBe(
      'You are uploading too much at once; try cat.png again in 12 s.',
    );
    expect(uploadRefusal(problem('missing_permission', 403), 'cat.png', limits)).toBe(
      'You do not have permission to attach files in this channel.',
    );
    expect(uploadRefusal(new Error('boom'), 'cat.png', limits)).toBe('cat.png could not be uploaded.');
  });
});

describe('tray helpers', () => {
  it('formats sizes as people read them', () => {
    expect([formatSize(512), formatSize(1536), formatSize(20 * 1024), formatSize(3 * 1024 * 1024), formatSize(25 * 1024 * 1024)]).toEqual([
      '512 B',
      '1.5 KB',
      '20 KB',
      '3.0 MB',
      '25 MB',
    ]);
  });

  it('names a pasted screenshot by when it was pasted and keeps real names', () => {
    const now = new Date('2026-11-30T21:05:09Z');
    expect(nameOfPasted(file('image.png', 1, 'image/png'), now)).toBe('pasted-2026-11-30-21-05-09.png');
    expect(nameOfPasted(file('holiday.jpg', 1, 'image/jpeg'), now)).toBe('holiday.jpg');
  });

  it('is ready only when every file has finished uploading', () => {
    expect(trayReady(inTray(2))).toBe(true);
    expect(trayReady([...inTray(1), { ...inTray(1)[0]!, key: 'x', state: 'uploading' }])).toBe(false);
    expect(trayReady([{ ...inTray(1)[0]!, state: 'failed' }])).toBe(false);
  });
});
