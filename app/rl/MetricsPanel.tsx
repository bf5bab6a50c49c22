import { METRIC_CHARTS } from './charts';
import { emptyRunData, series } from './runData';
import { useRl } from './rlStore';
import { COLORS, UChart, type Line } from './UChart';

/**
 * The selected run's curves, one chart per metric group; with a run to compare against, its
 * curves are drawn on the same charts, dashed.
 */
export function MetricsPanel() {
  const selectedId = useRl((s) => s.selectedId);
  const compareId = useRl((s) => s.compareId);
  const runs = useRl((s) => s.runs);
  const data = useRl((s) => (s.selectedId ? s.data[s.selectedId] : undefined)) ?? emptyRunData();
  const other = useRl((s) => (s.compareId && s.compareId !== s.selectedId ? s.data[s.compareId] : undefined));
  const run = runs.find((r) => r.id === selectedId);
  const otherRun = runs.find((r) => r.id === compareId);
  if (!run) {
    return (
      <section className="panel" aria-label="Metrics">
        <p className="muted">Start a run, or select one in the runs list, to see its curves.</p>
      </section>
    );
  }
  const short = (name: string) => (name.length > 28 ? name.slice(0, 27) + '…' : name);
  return (
    <section className="panel rl-metrics" aria-labelledby="rl-metrics-heading" data-testid="rl-metrics" data-steps={data.metrics.length}>
      <h2 id="rl-metrics-heading">
        Curves: {run.name}
        {other && otherRun ? <span className="muted"> (dashed: {otherRun.name})</span> : null}
      </h2>
      {!data.metrics.length && <p className="muted">The curves appear after the first step.</p>}
      <div className="rl-chart-grid">
        {METRIC_CHARTS.map((c) => {
          const lines: Line[] = c.lines.map((l, i) => ({ label: l.label, color: COLORS[i % COLORS.length]!, points: series(data.metrics, l.metric) }));
          if (other && otherRun) {
            c.lines.forEach((l, i) => lines.push({ label: `${l.label} (${short(otherRun.name)})`, color: COLORS[i % COLORS.length]!, dash: true, points: series(other.metrics, l.metric) }));
          }
          return <UChart key={c.id} title={c.title} lines={lines} testId={`rl-chart-${c.id}`} emptyNote={c.emptyNote ?? 'Nothing logged for these curves in this run.'} />;
        })}
      </div>
    </section>
  );
}
