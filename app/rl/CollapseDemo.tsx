import { useEffect } from 'react';
import { M, type MetricName } from '../../src/rl/metrics';
import { COLLAPSE_CHARTS } from './charts';
import { emptyRunData, series } from './runData';
import { useModel } from '../store/modelStore';
import { useRl } from './rlStore';
import { UChart } from './UChart';

const A_COLOR = '#2b6cb0';
const B_COLOR = '#c05621';

/**
 * The collapse demo: two runs from the same weights and seed, differing only in the tool-reward
 * coefficient (0.1 vs 0), trained interleaved in one worker and drawn side by side.
 */
export function CollapseDemo() {
  const runs = useRl((s) => s.runs);
  const session = useRl((s) => s.session);
  const selectedId = useRl((s) => s.selectedId);
  const data = useRl((s) => s.data);
  const start = useRl((s) => s.startCollapseDemo);
  const select = useRl((s) => s.select);
  const setPreset = useRl((s) => s.setPreset);
  const loadShipped = useModel((s) => s.loadShipped);
  const modelBusy = useModel((s) => s.working);
  /** The headless demo's setup: its start weights and the collapse preset. */
  const setUp = async () => {
    setPreset('collapse');
    await loadShipped('collapse-start');
  };
  // The selected run's twin pair, else the newest pair.
  const selected = runs.find((r) => r.id === selectedId);
  const twinId = selected?.twin?.id ?? runs.find((r) => r.twin)?.twin?.id ?? null;
  const a = runs.find((r) => r.twin?.id === twinId && r.twin.arm === 'A');
  const b = runs.find((r) => r.twin?.id === twinId && r.twin.arm === 'B');
  const load = useRl((s) => s.load);
  useEffect(() => {
    if (a) void load(a.id);
    if (b) void load(b.id);
  }, [a?.id, b?.id, load]); // eslint-disable-line react-hooks/exhaustive-deps
  const da = (a && data[a.id]) || emptyRunData();
  const db = (b && data[b.id]) || emptyRunData();
  const last = (metrics: typeof da.metrics, name: MetricName) => {
    const v = metrics[metrics.length - 1]?.[name];
    return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(2) : '–';
  };
  return (
    <section className="panel rl-collapse" aria-labelledby="rl-collapse-heading" data-testid="rl-collapse">
      <h2 id="rl-collapse-heading">Interaction collapse, live</h2>
      <div className="rl-explain">
        <p>
          <strong>What it is.</strong> The model starts out using tools: it writes Python to zoom, count or scan a video before it answers (it learned that from
          examples). Reinforcement learning then rewards it only for right answers. Tool calls cost turns and can fail, and a lucky guess without tools earns the
          same reward, so the training signal slowly teaches the model to stop calling tools: <em>interaction collapse</em>. Accuracy can look fine, or even better,
          at first, then it falls behind on the questions that need a closer look.
        </p>
        <p>
          <strong>The fix.</strong> Pay a small bonus for every tool call, but only when the answer is right: reward = correct + 0.1 × tool calls. Guessing
          earns nothing extra, and a wrong answer earns nothing at all however many tools it used, so the model is pushed to use tools <em>and</em> be right.
          The turn budget caps the bonus.
        </p>
        <p>
          <strong>What to watch.</strong> Run A has the bonus (0.1), run B none (0); same start, same seed, same tasks. Watch B&apos;s tool calls per trajectory
          drift down and its zero-tool share climb, while A holds on to its tools; then compare accuracy and turns. On a tiny model in a browser the effect needs
          many steps, so start with the demo preset and let it run.
        </p>
      </div>
      <p className="muted">
        The effect shows in minutes from the collapse-demo start (the policy fine-tuned to answer these questions directly most of the time, so RL can move it
        either way) with the <code>collapse</code> preset, which lets a share of tool calls fail like a flaky sandbox: the same setup as{' '}
        <code>npm run demo:collapse</code>. From the shipped policy, which almost always uses tools, both runs keep their tools.
      </p>
      <div className="toolbar">
        <button type="button" data-testid="rl-collapse-setup" disabled={!!session || !!modelBusy} onClick={() => void setUp()}>
          Set up as in npm run demo:collapse
        </button>
        <button type="button" className="primary" data-testid="rl-collapse-start" disabled={!!session} onClick={() => void start()}>
          Start the collapse demo (two runs: tool reward 0.1 vs 0)
        </button>
      </div>
      {a && b && (
        <>
          <p className="muted">
            <button type="button" className="link" onClick={() => void select(a.id)}>
              A: {a.name}
            </button>{' '}
            ({a.step}/{a.steps}, {a.status}) ·{' '}
            <button type="button" className="link" onClick={() => void select(b.id)}>
              B: {b.name}
            </button>{' '}
            ({b.step}/{b.steps}, {b.status})
          </p>
          <table className="rl-collapse-table" data-testid="rl-collapse-table">
            <thead>
              <tr>
                <th scope="col">latest step</th>
                {COLLAPSE_CHARTS.map((c) => (
                  <th key={c.metric} scope="col">
                    {c.title}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[
                ['A (tool reward 0.1)', da.metrics],
                ['B (tool reward 0)', db.metrics],
              ].map(([label, metrics]) => (
                <tr key={label as string}>
                  <th scope="row">{label as string}</th>
                  {COLLAPSE_CHARTS.map((c) => (
                    <td key={c.metric}>{last(metrics as typeof da.metrics, c.metric)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="rl-chart-grid">
            {COLLAPSE_CHARTS.map((c) => (
              <UChart
                key={c.metric}
                title={c.title}
                testId={`rl-collapse-${c.metric === M.accuracy ? 'accuracy' : c.metric.replace(/\W/g, '-')}`}
                lines={[
                  { label: 'A: tool reward 0.1', color: A_COLOR, points: series(da.metrics, c.metric) },
                  { label: 'B: tool reward 0', color: B_COLOR, points: series(db.metrics, c.metric) },
                ]}
              />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
