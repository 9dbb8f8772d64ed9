import { formatSize } from './tray';
import type { UploadTray } from './queries';

/** The files waiting to go with the message: name, size, progress, what went wrong, and a remove button each. */
export function AttachmentTray({ tray }: { tray: UploadTray }) {
  if (tray.files.length === 0 && tray.refusals.length === 0) return null;
  return (
    <div className="mb-1">
      {tray.refusals.length > 0 && (
        <div
          role="alert"
          className="mb-1 flex justify-between gap-2 rounded bg-red-100 px-3 py-1 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          <span>{tray.refusals.join(' ')}</span>
          <button type="button" onClick={tray.dismissRefusals} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {tray.files.length > 0 && (
        <ul aria-label="Files to send" className="flex flex-wrap gap-2">
          {tray.files.map((f) => {
            const percent = f.size > 0 ? Math.round((100 * f.loaded) / f.size) : 0;
            return (
              <li
                key={f.key}
                className="flex w-52 flex-col gap-1 rounded-md border border-zinc-300 bg-zinc-50 p-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
              >
                <div className="flex items-start gap-2">
                  {f.previewUrl ? (
                    <img src={f.previewUrl} alt="" className="h-10 w-10 shrink-0 rounded object-cover" />
                  ) : (
                    <span aria-hidden="true" className="grid h-10 w-10 shrink-0 place-items-center rounded bg-zinc-200 dark:bg-zinc-800">
                      📄
                    </span>
                  )}
                  <div className="min-w-0 flex-1">
                    <div className="truncate font-medium" title={f.name}>
                      {f.name}
                    </div>
                    <div className="text-xs text-zinc-600 dark:text-zinc-400">{formatSize(f.size)}</div>
                  </div>
                  <button type="button" aria-label={`Remove ${f.name}`} onClick={() => tray.remove(f.key)} className="px-1">
                    ✕
                  </button>
                </div>
                {f.resumed && f.state === 'uploading' && (
                  <p role="status" className="text-xs text-zinc-600 dark:text-zinc-400">
                    Resuming where the earlier upload of this file stopped
                  </p>
                )}
                {f.state === 'uploading' && (
                  <progress aria-label={`Uploading ${f.name}`} value={percent} max={100} className="h-1.5 w-full accent-brand" />
                )}
                {f.state === 'failed' && (
                  <p role="alert" className="text-xs text-red-700 dark:text-red-300">
                    {f.error}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
