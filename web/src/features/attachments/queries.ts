import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { admit, DEFAULT_LIMITS, nameOfPasted, trayReady, uploadRefusal, type TrayFile } from './tray';
import { uploadFile } from './upload';

export const attachmentKeys = {
  limits: ['attachments', 'limits'] as const,
};

/** The server's upload limits, so a file too large is refused before a byte is sent. */
export function useUploadLimits() {
  return useQuery({
    queryKey: attachmentKeys.limits,
    queryFn: () => unwrap(api.GET('/api/v1/attachments/limits')),
    staleTime: Infinity,
  });
}

let nextKey = 0;

export interface UploadTray {
  files: TrayFile[];
  /** Why files were refused (too large, too many, refused by the server), in words. */
  refusals: string[];
  add: (files: File[]) => void;
  remove: (key: string) => void;
  /** Empties the tray once its files went with a message (they now belong to it: nothing is deleted). */
  sent: () => void;
  dismissRefusals: () => void;
  ready: boolean;
}

/**
 * The composer's tray for one channel: each file starts uploading as it is added (progress per file), can be removed
 * (its upload cancelled, or deleted from the server when it had finished), and goes with the next message.
 */
export function useUploadTray(channelId: string): UploadTray {
  const limits = useUploadLimits().data ?? DEFAULT_LIMITS;
  const [files, setFiles] = useState<TrayFile[]>([]);
  const [refusals, setRefusals] = useState<string[]>([]);
  const current = useRef<TrayFile[]>([]);
  const controllers = useRef(new Map<string, AbortController>());

  const update = useCallback((change: (files: TrayFile[]) => TrayFile[]) => {
    current.current = change(current.current);
    setFiles(current.current);
  }, []);
  const patch = useCallback(
    (key: string, values: Partial<TrayFile>) => update((fs) => fs.map((f) => (f.key === key ? { ...f, ...values } : f))),
    [update],
  );

  const add = useCallback(
    (incoming: File[]) => {
      const { accepted, refusals: refused } = admit(current.current, incoming, limits);
      setRefusals(refused);
      const now = new Date();
      for (const file of accepted) {
        const key = `upload-${++nextKey}`;
        const name = nameOfPasted(file, now);
        const previewUrl =
          file.type.startsWith('image/') && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : undefined;
        const controller = new AbortController();
        controllers.current.set(key, controller);
        update((fs) => [...fs, { key, name, size: file.size, loaded: 0, state: 'uploading', previewUrl }]);
        uploadFile({
          channelId,
          file,
          fileName: name,
          signal: controller.signal,
          onProgress: (loaded) => patch(key, { loaded }),
          onResumed: () => patch(key, { resumed: true }),
        })
          .then((upload) => patch(key, { state: 'done', uploadId: upload.id, name: upload.fileName, loaded: file.size }))
          .catch((error: unknown) => {
            if (error instanceof DOMException && error.name === 'AbortError') return;
            patch(key, { state: 'failed', error: uploadRefusal(error, name, limits) });
          })
          .finally(() => controllers.current.delete(key));
      }
    },
    [channelId, limits, patch, update],
  );

  const remove = useCallback(
    (key: string) => {
      const file = current.current.find((f) => f.key === key);
      controllers.current.get(key)?.abort();
      if (file?.uploadId)
        void api.DELETE('/api/v1/channels/{id}/attachments/{attachmentId}', {
          params: { path: { id: channelId, attachmentId: file.uploadId } },
        });
      if (file?.previewUrl) URL.revokeObjectURL(file.previewUrl);
      update((fs) => fs.filter((f) => f.key !== key));
    },
    [channelId, update],
  );

  const sent = useCallback(() => {
    for (const f of current.current) if (f.previewUrl) URL.revokeObjectURL(f.previewUrl);
    update(() => []);
  }, [update]);

  // Leaving the channel cancels what is still on its way; finished uploads nobody sent are swept by the server.
  useEffect(() => {
    const inFlight = controllers.current;
    return () => inFlight.forEach((c) => c.abort());
  }, []);

  return { files, refusals, add, remove, sent, dismissRefusals: () => setRefusals([]), ready: trayReady(files) };
}
