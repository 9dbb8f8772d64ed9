import { Upload as TusUpload, type DetailedError } from 'tus-js-client';
import { renewTokens, tokenStore } from '../../api/client';
import { clientConfig } from '../../api/config';
import { ApiError, toApiError } from '../../api/errors';
import type { components } from '../../api/schema';

export type Upload = components['schemas']['UploadResponse'];
export type UploadLimits = components['schemas']['UploadLimitsResponse'];

export interface UploadRequest {
  channelId: string;
  file: Blob;
  fileName: string;
  onProgress?: (loaded: number) => void;
  /** A resumable upload picked up where an earlier one of the same file (before a reload) stopped. */
  onResumed?: () => void;
  signal?: AbortSignal;
}

/** What one XHR answered (fetch cannot report upload progress, so uploads go through XMLHttpRequest). */
interface XhrAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

function send({ channelId, file, fileName, onProgress, signal }: UploadRequest, token: string | undefined): Promise<XhrAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const url = `${clientConfig.serverUrl}/api/v1/channels/${encodeURIComponent(channelId)}/attachments?filename=${encodeURIComponent(fileName)}`;
    xhr.open('POST', url);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded);
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = undefined;
      }
      const headers = new Headers();
      const retryAfter = xhr.getResponseHeader('retry-after');
      if (retryAfter) headers.set('retry-after', retryAfter);
      resolve({ status: xhr.status, body, headers });
    };
    xhr.onerror = () => reject(ApiError.network(new Error('upload failed')));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    if (signal?.aborted) return reject(new DOMException('Upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/**
 * Uploads one file to a channel, reporting bytes sent; resolves with the upload id a message then carries. An expired
 * access token is renewed once (the same single-flight refresh as every other request) and the file sent again.
 */
export async function uploadFile(request: UploadRequest): Promise<Upload> {
  if (request.file.size > RESUMABLE_FROM) return uploadResumable(request);
  let answer = await send(request, tokenStore.get()?.accessToken);
  if (answer.status === 401 && (answer.body as { code?: string } | undefined)?.code === 'token_expired') {
    const renewed = await renewTokens();
    if (renewed) answer = await send(request, renewed.accessToken);
  }
  if (answer.status < 200 || answer.status >= 300) throw toApiError(answer.status, answer.body, answer.headers);
  return answer.body as Upload;
}

/** A signed media URL as the browser can load it: local-disk storage answers with a path on the server. */
export function mediaUrl(url: string): string {
  return /^https?:\/\//.test(url) ? url : `${clientConfig.serverUrl}${url}`;
}

/** Files larger than this go in chunks that survive a dropped connection (tus); smaller ones in one request. */
export const RESUMABLE_FROM = 8 * 1024 * 1024;
const CHUNK_BYTES = 4 * 1024 * 1024;
/** After a dropped connection, tries again for about two minutes, each time from the last chunk the server acknowledged. */
const RETRY_DELAYS = [0, 1000, 2000, 4000, 8000, 15000, 30000, 60000];

/** The upload through the tus protocol (server: Features/Attachments/ResumableUploadEndpoints.cs); its id is the attachment's. */
function uploadResumable({ channelId, file, fileName, onProgress, onResumed, signal }: UploadRequest): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let previousUrl: string | null = null;
    if (signal?.aborted) return reject(new DOMException('Upload cancelled', 'AbortError'));
    const upload = new TusUpload(file, {
      endpoint: `${clientConfig.serverUrl}/api/v1/channels/${encodeURIComponent(channelId)}/attachments/tus`,
      chunkSize: CHUNK_BYTES,
      metadata: { filename: fileName },
      retryDelays: RETRY_DELAYS,
      // The upload's URL is kept in localStorage under the file's fingerprint (name, type, size, modification time,
      // channel), so the same file picked again after a reload resumes from the server's offset; dropped once done.
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      // After the HEAD of a stored URL answered (a resume) or a creation: only the first is worth telling.
      onUploadUrlAvailable: () => {
        if (previousUrl && upload.url === previousUrl) onResumed?.();
      },
      onBeforeRequest: (req) => {
        const token = tokenStore.get()?.accessToken;
        if (token) req.setHeader('authorization', `Bearer ${token}`);
      },
      onShouldRetry: (error) => {
        const status = (error as DetailedError).originalResponse?.getStatus() ?? 0;
        if (status === 401) {
          void renewTokens(); // the retry (a second later at the soonest) sends the renewed token
          return true;
        }
        // No answer (offline, connection dropped) or a server error: retry even while the browser says it is offline.
        return status === 0 || status === 409 || status === 423 || status >= 500;
      },
      onProgress: (sent) => onProgress?.(sent),
      onError: (error) => {
        const response = (error as DetailedError).originalResponse;
        if (!response) return reject(ApiError.network(error));
        let body: unknown;
        try {
          body = JSON.parse(response.getBody());
        } catch {
          body = undefined;
        }
        const headers = new Headers();
        const retryAfter = response.getHeader('retry-after');
        if (retryAfter) headers.set('retry-after', retryAfter);
        reject(toApiError(response.getStatus(), body, headers));
      },
      onSuccess: () => resolve({ id: upload.url!.split('/').pop()!, fileName, size: file.size }),
    });
    signal?.addEventListener(
      'abort',
      () => {
        void upload.abort(true).catch(() => undefined);
        reject(new DOMException('Upload cancelled', 'AbortError'));
      },
      { once: true },
    );
    // The server refuses a stored URL of someone else's or one it swept (404): tus-js-client then starts afresh.
    void upload
      .findPreviousUploads()
      .catch(() => [])
      .then((previous) => {
        if (signal?.aborted) return;
        const latest = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
        if (latest?.uploadUrl) {
          previousUrl = latest.uploadUrl;
          upload.resumeFromPreviousUpload(latest);
        }
        upload.start();
      });
  });
}
