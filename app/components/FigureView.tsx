import { useEffect, useRef, useState } from 'react';
import type { Figure, Pixels } from '../../src/runtime/types';

/** Paints L / RGB / RGBA pixels onto a canvas sized exactly to the figure. */
export function paintPixels(canvas: HTMLCanvasElement, p: Pixels): void {
  canvas.width = p.width;
  canvas.height = p.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const rgba = new Uint8ClampedArray(p.width * p.height * 4);
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (p.channels === 1) {
      const v = p.data[i]!;
      rgba[o] = rgba[o + 1] = rgba[o + 2] = v;
      rgba[o + 3] = 255;
    } else if (p.channels === 3) {
      rgba[o] = p.data[i * 3]!;
      rgba[o + 1] = p.data[i * 3 + 1]!;
      rgba[o + 2] = p.data[i * 3 + 2]!;
      rgba[o + 3] = 255;
    } else {
      rgba[o] = p.data[o]!;
      rgba[o + 1] = p.data[o + 1]!;
      rgba[o + 2] = p.data[o + 2]!;
      rgba[o + 3] = p.data[o + 3]!;
    }
  }
  ctx.putImageData(new ImageData(rgba, p.width, p.height), 0, 0);
}

function PixelCanvas({ pixels, className, testId }: { pixels: Pixels; className: string; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) paintPixels(ref.current, pixels);
  }, [pixels]);
  return <canvas ref={ref} className={className} data-testid={testId} width={pixels.width} height={pixels.height} />;
}

/** One shown figure; click (or Enter) enlarges it in a modal dialog, Esc closes it. */
export function FigureView({ figure, index }: { figure: Figure; index: number }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const { width, height } = figure.pixels;
  const caption = figure.titles.length > 0 ? figure.titles.join(' · ') : `Figure ${index + 1}`;

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <figure className="figure" data-testid="figure" data-width={width} data-height={height}>
      <button type="button" className="figure-button" onClick={() => setOpen(true)} aria-label={`Enlarge ${caption}`}>
        <PixelCanvas pixels={figure.pixels} className="figure-canvas" testId="figure-canvas" />
      </button>
      <figcaption>
        {caption} <span className="muted">
          {width}×{height}
          {figure.downscaled ? ' (downscaled)' : ''}
        </span>
      </figcaption>
      <dialog ref={dialog} className="figure-dialog" data-testid="figure-dialog" onClose={() => setOpen(false)}>
        {open && <PixelCanvas pixels={figure.pixels} className="figure-large" testId="figure-large" />}
        <div className="dialog-bar">
          <span>{caption}</span>
          <button type="button" onClick={() => setOpen(false)} autoFocus>
            Close
          </button>
        </div>
      </dialog>
    </figure>
  );
}
