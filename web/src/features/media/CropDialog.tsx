import { useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import {
  centredView,
  clampView,
  cropOf,
  fitViewport,
  MAX_ZOOM,
  scaleOf,
  zoomView,
  type CropView,
  type PictureCrop,
  type Viewport,
} from './crop';

/** The crop frame of a square picture and of a 5:2 banner, in CSS pixels. */
const SQUARE: Viewport = { width: 256, height: 256 };
const BANNER: Viewport = { width: 400, height: 160 };
/** The dialog's width is 100vw less 2rem of margin, and its content sits inside 1.25rem of padding on each side. */
const DIALOG_CHROME = 32 + 40;

/**
 * The crop step of a picture upload: the chosen image in a square (round for avatars) or a 5:2 banner frame the user
 * drags and zooms with the wheel, or moves and zooms with the three sliders (the keyboard's way); Apply hands back the
 * rectangle in the image's own pixels, which the server cuts (so animated GIFs stay animated).
 */
export function CropDialog({
  file,
  title,
  round,
  banner = false,
  busy,
  error,
  onApply,
  onClose,
}: {
  file: File;
  title: string;
  round: boolean;
  banner?: boolean;
  busy: boolean;
  error: string | null;
  onApply: (crop: PictureCrop) => void;
  onClose: () => void;
}) {
  const src = useMemo(() => URL.createObjectURL(file), [file]);
  const [image, setImage] = useState<{ width: number; height: number } | null>(null);
  const [view, setView] = useState<CropView | null>(null);
  const [broken, setBroken] = useState(false);
  const drag = useRef<{ x: number; y: number; view: CropView } | null>(null);
  // Fixed while the dialog is open: the view is kept in viewport pixels, so a resize would shift the crop.
  const [viewport] = useState(() => fitViewport(banner ? BANNER : SQUARE, window.innerWidth - DIALOG_CHROME));

  useEffect(() => () => URL.revokeObjectURL(src), [src]);

  const loaded = (e: React.SyntheticEvent<HTMLImageElement>) => {
    const size = { width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight };
    setImage(size);
    setView(centredView(size, viewport));
  };

  const move = (dx: number, dy: number, from = view) =>
    image && from && setView(clampView(image, viewport, { ...from, left: from.left + dx, top: from.top + dy }));

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!view) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, view };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const start = drag.current;
    if (start) move(e.clientX - start.x, e.clientY - start.y, start.view);
  };
  const zoomTo = (zoom: number) => image && view && setView(zoomView(image, viewport, view, zoom));

  const scale = image && view ? scaleOf(image, viewport, view.zoom) : 0;
  // How far along its free range the image sits, 0..1 on each axis (0 when it has no room to move).
  const room = { x: image ? viewport.width - image.width * scale : 0, y: image ? viewport.height - image.height * scale : 0 };
  const along = (offset: number, free: number) => (free < 0 ? offset / free : 0);
  const slideTo = (axis: 'x' | 'y', fraction: number) =>
    image &&
    view &&
    setView(clampView(image, viewport, axis === 'x' ? { ...view, left: fraction * room.x } : { ...view, top: fraction * room.y }));
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="flex flex-col items-center gap-4">
        {broken ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            This file is not an image the browser can show.
          </p>
        ) : (
          <div
            data-testid="crop-area"
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={() => (drag.current = null)}
            onPointerCancel={() => (drag.current = null)}
            onWheel={(e) => view && zoomTo(view.zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1))}
            style={{ width: viewport.width, height: viewport.height }}
            className="relative cursor-move touch-none overflow-hidden bg-zinc-900"
          >
            {src && (
              <img
                src={src}
                alt=""
                draggable={false}
                onLoad={loaded}
                onError={() => setBroken(true)}
                style={
                  image && view
                    ? {
                        position: 'absolute',
                        left: view.left,
                        top: view.top,
                        width: image.width * scale,
                        height: image.height * scale,
                        maxWidth: 'none',
                      }
                    : { visibility: 'hidden' }
                }
              />
            )}
            {/* Shades what the picture will not show. */}
            <div
              aria-hidden="true"
              className={`pointer-events-none absolute inset-0 ${round ? 'rounded-full' : 'rounded-2xl'} shadow-[0_0_0_999px_rgba(0,0,0,0.45)]`}
            />
          </div>
        )}
        <Slider label="Zoom" min={1} max={MAX_ZOOM} step={0.05} value={view?.zoom ?? 1} disabled={!view} onChange={zoomTo} />
        <Slider
          label="Left–right"
          min={0}
          max={1}
          step={0.01}
          value={view ? along(view.left, room.x) : 0}
          disabled={!view || room.x >= 0}
          onChange={(v) => slideTo('x', v)}
        />
        <Slider
          label="Up–down"
          min={0}
          max={1}
          step={0.01}
          value={view ? along(view.top, room.y) : 0}
          disabled={!view || room.y >= 0}
          onChange={(v) => slideTo('y', v)}
        />
        {error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
        <div className="flex w-full justify-end gap-3">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button busy={busy} disabled={!image || !view} onClick={() => image && view && onApply(cropOf(image, viewport, view))}>
            Apply
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

function Slider({
  label,
  onChange,
  ...range
}: {
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  disabled: boolean;
  onChange: (value: number) => void;
}) {
  return (
    <label className="flex w-full items-center gap-3 text-sm">
      <span className="w-24 shrink-0">{label}</span>
      <input type="range" {...range} onChange={(e) => onChange(Number(e.target.value))} className="flex-1" />
    </label>
  );
}
