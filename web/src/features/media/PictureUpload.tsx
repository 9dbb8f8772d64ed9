import { useRef, useState, type ReactNode } from 'react';
import { errorMessage } from '../../api/errors';
import { Button } from '../../ui/Button';
import { CropDialog } from './CropDialog';
import type { PictureCrop } from './crop';

/** What uploading and removing one kind of picture needs (an avatar's or a server icon's mutations). */
export interface PictureActions {
  upload: {
    mutate: (args: { file: File; crop: PictureCrop }, options: { onSuccess: () => void }) => void;
    isPending: boolean;
    error: unknown;
    reset: () => void;
  };
  remove: { mutate: () => void; isPending: boolean };
}

/**
 * The current picture with "Upload…" (pick a file, crop it, apply) and "Remove": the one control for avatars, server
 * icons and banners (a 5:2 crop). The picture is processed on the server; what it answers replaces the preview.
 */
export function PictureUpload({
  label,
  preview,
  hasPicture,
  round,
  banner = false,
  actions,
}: {
  label: string;
  preview: ReactNode;
  hasPicture: boolean;
  round: boolean;
  banner?: boolean;
  actions: PictureActions;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const { upload, remove } = actions;
  const close = () => {
    setFile(null);
    upload.reset();
  };
  return (
    <div className="flex items-center gap-4">
      {preview}
      <div className="flex flex-wrap gap-2">
        <input
          ref={input}
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp,image/avif,image/heic"
          aria-label={`${label} file`}
          className="sr-only"
          tabIndex={-1}
          onChange={(e) => {
            const chosen = e.target.files?.[0];
            e.target.value = ''; // choosing the same file again opens the crop again
            if (chosen) setFile(chosen);
          }}
        />
        <Button variant="secondary" onClick={() => input.current?.click()}>
          Upload {label.toLowerCase()}
        </Button>
        {hasPicture && (
          <Button variant="ghost" busy={remove.isPending} onClick={() => remove.mutate()}>
            Remove {label.toLowerCase()}
          </Button>
        )}
      </div>
      {file && (
        <CropDialog
          file={file}
          title={`Crop your ${label.toLowerCase()}`}
          round={round}
          banner={banner}
          busy={upload.isPending}
          error={upload.error ? errorMessage(upload.error) : null}
          onApply={(crop) => upload.mutate({ file, crop }, { onSuccess: close })}
          onClose={close}
        />
      )}
    </div>
  );
}
