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
