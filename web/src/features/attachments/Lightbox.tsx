import { createContext, useContext, useEffect, useRef, useState, type PointerEvent, type ReactNode, type WheelEvent } from 'react';
import { Dialog } from '../../ui/Dialog';
import type { Attachment } from './MessageAttachments';
import { formatSize } from './tray';
import { mediaUrl } from './upload';
import { FIT, panBy, wheelFactor, ZOOM_STEP, zoomAt, type ZoomView } from './zoom';

/** Opens the lightbox on an image of the channel view, with the view's other images a key press away. */
const LightboxContext = createContext<((attachmentId: string) => void) | null>(null);

/** null outside a channel view (pinned messages, search results): the image then opens on its own. */
export const useOpenLightbox = () => useContext(LightboxContext);

/** Holds the lightbox of a channel view; `images` are the view's shown images, oldest first. */
export function LightboxProvider({ images, children }: { images: Attachment[]; children: ReactNode }) {
  const [openId, setOpenId] = useState<string | null>(null);
  const index = openId ? images.findIndex((a) => a.id === openId) : -1;
  return (
    <LightboxContext.Provider value={setOpenId}>
      {children}
      {index >= 0 && <Lightbox images={images} index={index} onIndex={(i) => setOpenId(images[i]!.id)} onClose={() => setOpenId(null)} />}
    </LightboxContext.Provider>
  );
}

const isImage = (a: Attachment) => a.state === 'ready' && a.contentType.startsWith('image/') && !!a.thumbnailUrl;

/** The images among attachments, in order: what the lightbox steps through. */
export const lightboxImages = (attachments: Attachment[]) => attachments.filter(isImage);

/**
 * One image at a time over the whole window: zoom with the wheel, a pinch, + and -, or a double-click (which toggles),
 * drag to pan while zoomed; ← and → (or the buttons) step through the channel's images. A modal dialog: focus stays
 * inside, Esc closes it, it is labelled by the file name.
 */
export function Lightbox({
  images,
  index,
  onIndex,
  onClose,
}: {
  images: Attachment[];
  index: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}) {
  const a = images[index]!;
  const [view, setView] = useState<ZoomView>(FIT);
  const stage = useRef<HTMLDivElement>(null);
  const image = useRef<HTMLImageElement>(null);
  const pointers = useRef(new Map<number, { x: number; y: number }>());

  const sizes = () => ({
    viewport: { width: stage.current?.clientWidth ?? 0, height: stage.current?.clientHeight ?? 0 },
    image: { width: image.current?.offsetWidth ?? 0, height: image.current?.offsetHeight ?? 0 },
  });
  /** A client position relative to the stage's centre, where the zoom maths puts its origin. */
  const fromCentre = (clientX: number, clientY: number) => {
    const box = stage.current!.getBoundingClientRect();
    return { x: clientX - box.left - box.width / 2, y: clientY - box.top - box.height / 2 };
  };
  const zoom = (factor: number, point?: { x: number; y: number }) =>
    setView((v) => {
      const { viewport, image: shown } = sizes();
      return zoomAt(v, factor, viewport, shown, point);
    });
  const go = (next: number) => {
    if (next < 0 || next >= images.length) return;
    setView(FIT);
    onIndex(next);
  };

  const onKeyDown = (e: globalThis.KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowLeft: () => go(index - 1),
      ArrowRight: () => go(index + 1),
      '+': () => zoom(ZOOM_STEP),
      '=': () => zoom(ZOOM_STEP),
      '-': () => zoom(1 / ZOOM_STEP),
      '0': () => setView(FIT),
    };
    const action = keys[e.key];
    if (!action || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    action();
  };
  // On the window, not the dialog: focus leaves the dialog's controls for the body after a click on the image.
  useEffect(() => {
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  });
  const onWheel = (e: WheelEvent) => zoom(wheelFactor(e.deltaY), fromCentre(e.clientX, e.clientY));
  const onPointerDown = (e: PointerEvent) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
  };
  const onPointerMove = (e: PointerEvent) => {
    const before = pointers.current.get(e.pointerId);
    if (!before) return;
    const others = [...pointers.current].filter(([id]) => id !== e.pointerId).map(([, p]) => p);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (others.length === 1) {
      // A pinch: the distance between the two fingers scales the image about their midpoint.
      const other = others[0]!;
      const distance = (p: { x: number; y: number }) => Math.hypot(p.x - other.x, p.y - other.y);
      const factor = distance({ x: e.clientX, y: e.clientY }) / Math.max(1, distance(before));
      zoom(factor, fromCentre((e.clientX + other.x) / 2, (e.clientY + other.y) / 2));
    } else if (others.length === 0) {
      setView((v) => {
        const { viewport, image: shown } = sizes();
        return panBy(v, e.clientX - before.x, e.clientY - before.y, viewport, shown);
      });
    }
  };
  const onPointerUp = (e: PointerEvent) => pointers.current.delete(e.pointerId);

  const control =
    'rounded-md bg-zinc-800 px-3 py-1.5 text-sm font-medium text-zinc-100 hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-brand aria-disabled:opacity-40';
  return (
    <Dialog title={a.fileName} onClose={onClose} fullscreen>
      <div className="flex min-h-0 flex-1 flex-col gap-2" data-testid="lightbox">
        <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Image">
          <button
            type="button"
            className={control}
            onClick={() => go(index - 1)}
            aria-disabled={index === 0}
            aria-label="Previous image"
            data-autofocus={index > 0 || undefined}
          >
            ←
          </button>
          <span className="text-sm tabular-nums" aria-live="polite">
            {index + 1} of {images.length}
          </span>
          <button
            type="button"
            className={control}
            onClick={() => go(index + 1)}
            aria-disabled={index === images.length - 1}
            aria-label="Next image"
            data-autofocus={index === 0 || undefined}
          >
            →
          </button>
          <button
            type="button"
            className={control}
            onClick={() => zoom(1 / ZOOM_STEP)}
            aria-disabled={view.scale <= 1}
            aria-label="Zoom out"
          >
            −
          </button>
          <span className="w-12 text-center text-sm tabular-nums" data-testid="lightbox-zoom">
            {Math.round(view.scale * 100)}%
          </span>
          <button type="button" className={control} onClick={() => zoom(ZOOM_STEP)} aria-label="Zoom in">
            +
          </button>
          <button type="button" className={control} onClick={() => setView(FIT)} aria-disabled={view.scale === 1}>
            Fit
          </button>
          <span className="flex-1" />
          {a.url && (
            <>
              <a href={mediaUrl(a.url)} target="_blank" rel="noreferrer" className={control}>
                Open original
              </a>
              <a href={mediaUrl(a.url)} download={a.fileName} className={control}>
                Download
              </a>
            </>
          )}
          <button type="button" className={control} onClick={onClose}>
            Close
          </button>
        </div>
        <div
          ref={stage}
          className={`relative min-h-0 flex-1 touch-none overflow-hidden select-none ${view.scale > 1 ? 'cursor-grab' : 'cursor-zoom-in'}`}
          onWheel={onWheel}
          onDoubleClick={(e) => (view.scale > 1 ? setView(FIT) : zoom(ZOOM_STEP, fromCentre(e.clientX, e.clientY)))}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
          data-testid="lightbox-stage"
        >
          <img
            key={a.id}
            ref={image}
            src={mediaUrl(a.previewUrl ?? a.url ?? a.thumbnailUrl!)}
            alt={a.fileName}
            draggable={false}
            className="absolute inset-0 m-auto max-h-full max-w-full object-contain"
            style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})` }}
          />
        </div>
        {a.width != null && a.height != null && (
          <p className="text-center text-xs text-zinc-400">
            {a.width} × {a.height}, {formatSize(a.size)}
          </p>
        )}
      </div>
    </Dialog>
  );
}
