/**
 * The live SFT loss as a small SVG line (no charting library is a dependency, and one curve does
 * not need one). Axes: step (x), loss (y, from the run's min to max); the last value is labelled.
 */
export function LossChart({ points, steps }: { points: Array<{ step: number; loss: number }>; steps: number }) {
  const W = 320;
  const H = 120;
  const pad = { l: 40, r: 8, t: 8, b: 18 };
  const finite = points.filter((p) => Number.isFinite(p.loss));
  if (!finite.length) {
    return (
      <p className="muted" data-testid="loss-chart-empty">
        The loss curve appears after the first logged steps.
      </p>
    );
  }
  const lo = Math.min(...finite.map((p) => p.loss));
  const hi = Math.max(...finite.map((p) => p.loss));
  const span = hi - lo || 1;
  const maxStep = Math.max(steps, ...finite.map((p) => p.step), 1);
  const x = (s: number) => pad.l + (s / maxStep) * (W - pad.l - pad.r);
  const y = (l: number) => pad.t + (1 - (l - lo) / span) * (H - pad.t - pad.b);
  const d = finite.map((p, i) => `${i ? 'L' : 'M'}${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ');
  const last = finite[finite.length - 1]!;
  return (
    <figure className="loss-chart" data-testid="loss-chart" data-points={finite.length} data-last-loss={last.loss.toFixed(4)}>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Training loss: ${finite.length} points, last ${last.loss.toFixed(3)} at step ${last.step}`}>
        <line x1={pad.l} y1={H - pad.b} x2={W - pad.r} y2={H - pad.b} stroke="currentColor" strokeOpacity={0.3} />
        <line x1={pad.l} y1={pad.t} x2={pad.l} y2={H - pad.b} stroke="currentColor" strokeOpacity={0.3} />
        <text x={pad.l - 4} y={pad.t + 8} fontSize={10} textAnchor="end" fill="currentColor">
          {hi.toFixed(2)}
        </text>
        <text x={pad.l - 4} y={H - pad.b} fontSize={10} textAnchor="end" fill="currentColor">
          {lo.toFixed(2)}
        </text>
        <text x={W - pad.r} y={H - 4} fontSize={10} textAnchor="end" fill="currentColor">
          step {maxStep}
        </text>
        <path d={d} fill="none" stroke="#2b6cb0" strokeWidth={1.5} />
        <circle cx={x(last.step)} cy={y(last.loss)} r={2.5} fill="#2b6cb0" />
      </svg>
      <figcaption>
        loss <strong data-testid="loss-last">{last.loss.toFixed(3)}</strong> at step {last.step}
      </figcaption>
    </figure>
  );
}
