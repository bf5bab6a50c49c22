/**
 * A live line chart on uPlot (small, canvas-based, fast enough to redraw every step): one x axis
 * (the step) and any number of lines, aligned on the union of their steps (missing points are
 * gaps). The chart is rebuilt only when its set of lines changes; new points use setData.
 * The figure carries the point count and the last values for tests and screen readers.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { axisWidth, lastIndexes } from './chartMath';

export interface Line {
  label: string;
  color: string;
  points: Array<[number, number | null]>;
  dash?: boolean;
  /** A background line (the collapse demo's recorded run): no point markers, so it stays behind. */
  faded?: boolean;
}

export const COLORS = ['#2b6cb0', '#c05621', '#2f855a', '#9b2c2c', '#6b46c1', '#b7791f', '#4a5568', '#00a3c4'];

/** [xs, ys…] aligned on the union of the lines' steps. */
export function alignLines(lines: Line[]): uPlot.AlignedData {
  const xs = [...new Set(lines.flatMap((l) => l.points.map(([x]) => x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = lines.map((l) => {
    const y: Array<number | null> = new Array(xs.length).fill(null);
    for (const [x, v] of l.points) y[index.get(x)!] = v;
    return y;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}

function lastValue(l: Line): number | null {
  for (let i = l.points.length - 1; i >= 0; i--) if (l.points[i]![1] !== null) return l.points[i]![1];
  return null;
}

function showLastValues(u: uPlot): void {
  if (u.cursor.idx !== null && u.cursor.idx !== undefined) return; // the cursor is on the chart
  const idxs = lastIndexes(u.data);
  if (idxs[0]! < 0) return;
  u.setLegend({ idxs: idxs.map((i) => (i < 0 ? null : i)) }, false);
}

export function UChart({ title, lines, testId, height = 170, emptyNote }: { title: string; lines: Line[]; testId?: string; height?: number; emptyNote?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = lines.map((l) => `${l.label}|${l.color}|${l.dash ? 1 : 0}|${l.faded ? 1 : 0}`).join(';');
  const data = useMemo(() => alignLines(lines), [lines]);
  const points = data[0].length;
  // Steps were logged but none has a value for these lines (e.g. no video task): say so rather
  // than draw empty axes.
  const blank = emptyNote !== undefined && points > 0 && lines.every((l) => lastValue(l) === null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      scales: {
        x: { time: false },
        // uPlot shows a flat series as 0…100; a little room around the value reads better.
        y: { range: (_u, min, max) => (min === null || max === null ? [0, 1] : min === max ? [min - 1, max + 1] : [min - (max - min) * 0.05, max + (max - min) * 0.05]) },
      },
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      // Without the cursor on the chart, the legend shows each line's latest value (not "--").
      hooks: { ready: [showLastValues], setData: [showLastValues], setCursor: [showLastValues] },
      // Steps are integers: no 1.5 ticks.
      axes: [
        { label: 'step', size: 30, labelSize: 14, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] },
        {
          size: (self, values, axisIdx) => {
            const axis = self.axes[axisIdx]!;
            self.ctx.font = axis.font?.[0] ?? self.ctx.font;
            const ticks = (axis.ticks?.size ?? 10) + (axis.gap ?? 5);
            return axisWidth(values ?? [], (t) => self.ctx.measureText(t).width / devicePixelRatio, ticks);
          },
        },
      ],
      series: [{ label: 'step' }, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 1.5, spanGaps: true, dash: l.dash ? [6, 4] : undefined, points: { show: !l.faded, size: 4 } }))],
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt when the set of lines changes (or the canvas appears); data goes through setData.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height, blank]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const summary = lines.map((l) => `${l.label}: ${lastValue(l)?.toPrecision(3) ?? '–'}`).join(', ');
  return (
    <figure className="rl-chart" data-testid={testId} data-points={blank ? 0 : points} aria-label={`${title}. ${points} steps. Last values: ${summary}`}>
      <figcaption>{title}</figcaption>
      {blank ? <p className="muted rl-chart-empty">{emptyNote}</p> : <div ref={box} className="rl-chart-canvas" />}
    </figure>
  );
}
