import { ApiError } from '../../api/errors';
import type { UploadLimits } from './upload';

/** A file in the composer's tray: uploading as soon as it is added, then waiting to go with the message. */
export interface TrayFile {
  key: string;
  name: string;
  size: number;
  /** Bytes sent so far. */
  loaded: number;
  state: 'uploading' | 'done' | 'failed';
  uploadId?: string;
  error?: string;
  /** Picked up after a reload from where an earlier upload of the same file stopped. */
  resumed?: boolean;
  /** A local preview of an image (an object URL), released when the file leaves the tray. */
  previewUrl?: string;
}

export const DEFAULT_LIMITS: UploadLimits = { maxFileBytes: 25 * 1024 * 1024, maxAttachmentsPerMessage: 10 };

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

const maxSize = (limits: UploadLimits) => formatSize(limits.maxFileBytes);

/** Which of these files may join the tray, and in words why the others may not. */
export function admit(tray: readonly TrayFile[], files: readonly File[], limits: UploadLimits): { accepted: File[]; refusals: string[] } {
  const accepted: File[] = [];
  const refusals: string[] = [];
  let room = limits.maxAttachmentsPerMessage - tray.length;
  for (const file of files) {
    if (file.size === 0) refusals.push(`${file.name} is empty.`);
    else if (file.size > limits.maxFileBytes) refusals.push(`${file.name} is too large: files can be at most ${maxSize(limits)}.`);
    else if (room <= 0) refusals.push(`${file.name} was not added: a message can carry at most ${limits.maxAttachmentsPerMessage} files.`);
    else {
      accepted.push(file);
      room--;
    }
  }
  return { accepted, refusals };
}

/** Why the server refused an upload, in words for the person who chose the file. */
export function uploadRefusal(error: unknown, fileName: string, limits: UploadLimits): string {
  if (!(error instanceof ApiError)) return `${fileName} could not be uploaded.`;
  switch (error.code) {
    case 'payload_too_large':
      return `${fileName} is too large: files can be at most ${maxSize(limits)}.`;
    case 'rate_limited':
      return `You are uploading too much at once; try ${fileName} again in ${error.retryAfterSeconds ?? 60} s.`;
    case 'missing_permission':
      return 'You do not have permission to attach files in this channel.';
    case 'empty_file':
      return `${fileName} is empty.`;
    case 'network_error':
      return `${fileName} could not be uploaded: the connection was lost.`;
    default:
      return `${fileName} could not be uploaded: ${error.message}`;
  }
}

/** A pasted image has no useful name ("image.png"): give it one that says when it was pasted. */
export function nameOfPasted(file: File, now: Date): string {
  if (file.name && file.name !== 'image.png') return file.name;
  const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const extension = file.type.startsWith('image/') ? file.type.slice('image/'.length).replace('jpeg', 'jpg') : 'bin';
  return `pasted-${stamp}.${extension}`;
}

/** Whether the message can go: every file uploaded (a failed one must be removed first). */
export function trayReady(tray: readonly TrayFile[]): boolean {
  return tray.every((f) => f.state === 'done');
}
