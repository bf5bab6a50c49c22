import { useEffect, useRef } from 'react';
import type { Pixels } from '../../src/runtime/types';
import { paintPixels } from '../components/FigureView';

/** Pixels painted on a canvas (CSS scales it down to fit). */
export function PixelsCanvas({ pixels, label, testId, className }: { pixels: Pixels; label: string; testId: string; className?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) paintPixels(ref.current, pixels);
  }, [pixels]);
  return <canvas ref={ref} className={className ?? 'media-canvas'} role="img" aria-label={label} data-testid={testId} />;
}
