import { useEffect, useState } from 'react';
import { COLLAPSE_DEMO, COLLAPSE_EXPLANATION, collapseDemoBase } from '../../src/rl/collapseDemo';
import { M, type MetricName } from '../../src/rl/metrics';
import { COLLAPSE_CHARTS } from './charts';
import { downloadClassroomReport } from './classroomExport';
import { RecordedNote, RecordedSamples, recordedLines, useRecording } from './RecordedRun';
import { emptyRunData, series } from './runData';
import { useModel } from '../store/modelStore';
import { useRl } from './rlStore';
import { UChart, type Line } from './UChart';

const A_COLOR = '#2b6cb0';
const B_COLOR = '#c05621';

/** Steps logged in any of the lines (as UChart counts its points). */
const stepsIn = (lines: Line[]) => new Set(lines.flatMap((l) => l.points.map(([x]) => x))).size;

/**
 * The collapse demo: two runs from the same weights and seed, differing only in the tool-reward
 * coefficient (0.1 vs 0), trained together in one worker (stepping concurrently) and drawn side by side,
 * over the faded curves of a recorded run (RecordedRun.tsx).
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
  const [loaded, setLoaded] = useState<string | null>(null);
  const [reportError, setReportError] = useState<string | null>(null);
  const recording = useRecording();
  const rec = recording.status === 'ok' ? recording.recording : null;
  /**
   * One click: the headless demo's own start weights and preset (`npm run demo:collapse` with no
   * options, src/rl/collapseDemo.ts), then both arms. A load failure shows in the header and
   * nothing starts.
   */
  const oneClick = async () => {
    setLoaded(null);
    setPreset(COLLAPSE_DEMO.preset);
    await loadShipped(COLLAPSE_DEMO.startWeights);
    const model = useModel.getState();
    if (model.weightsError || model.phase !== 'ready' || !model.info) return;
    const base = collapseDemoBase();
    setLoaded(
      `Loaded the collapse-demo start (models/${COLLAPSE_DEMO.startWeights}, ${model.info.contentHash.slice(0, 12)}) and the ${COLLAPSE_DEMO.preset} preset: ` +
        `${base.steps} steps of ${base.promptsPerStep} prompts × ${base.groupSize} rollouts, seed ${base.seed}, ` +
        `${Math.round((base.toolFailureRate ?? 0) * 100)} % of tool calls made to fail like a flaky sandbox; tool reward ${COLLAPSE_DEMO.toolRewardCoef} (A) vs 0 (B).`,
    );
    await start(base);
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
        {COLLAPSE_EXPLANATION.map((p) => (
          <p key={p.title}>
            <strong>{p.title}</strong> {p.text}
          </p>
        ))}
      </div>
      <p className="muted">
        One click loads the collapse-demo start (the policy fine-tuned to answer these questions directly most of the time, so RL can move it either way) and
        the <code>collapse</code> preset, which lets a share of tool calls fail like a flaky sandbox, and starts both runs: the same setup as{' '}
        <code>npm run demo:collapse</code>. From the shipped policy, which almost always uses tools, both runs keep their tools.
      </p>
      <div className="toolbar">
        <button type="button" className="primary" data-testid="rl-collapse-start" disabled={!!session || !!modelBusy} onClick={() => void oneClick()}>
          Start the collapse demo (two runs: tool reward {COLLAPSE_DEMO.toolRewardCoef} vs 0)
        </button>
        <button
          type="button"
          data-testid="rl-collapse-start-form"
          disabled={!!session}
          title="Both arms with the settings in the form above and the weights loaded now (tool reward 0.1 vs 0)"
          onClick={() => void start()}
        >
          …or with the settings above
        </button>
      </div>
      {loaded && (
        <p className="muted" role="status" data-testid="rl-collapse-loaded">
          {loaded}
        </p>
      )}
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
          <div className="toolbar">
            <button
              type="button"
              data-testid="rl-collapse-report"
              disabled={!da.metrics.length || !db.metrics.length}
              title="One HTML file that opens offline in any browser: the curves, the explanation, the settings and seed, and a sample trajectory of each run from the start and the end"
              onClick={() => {
                setReportError(null);
                downloadClassroomReport(a, da, b, db).catch((err: unknown) => setReportError(`Could not make the report: ${err instanceof Error ? err.message : String(err)}`));
              }}
            >
              Export classroom report (HTML)
            </button>
            {reportError && (
              <span className="error" role="alert">
                {reportError}
              </span>
            )}
          </div>
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
        </>
      )}
      <RecordedNote state={recording} />
      {(rec || (a && b)) && (
        <div className="rl-chart-grid">
          {COLLAPSE_CHARTS.map((c) => {
            const id = `rl-collapse-${c.metric === M.accuracy ? 'accuracy' : c.metric.replace(/\W/g, '-')}`;
            const recorded = rec ? recordedLines(rec, c.metric, { A: A_COLOR, B: B_COLOR }) : [];
            // With a recording the live lines are there from the start (empty): the chart is not rebuilt when a run begins.
            const live: Line[] = [
              { label: 'A: tool reward 0.1', color: A_COLOR, points: a && b ? series(da.metrics, c.metric) : [] },
              { label: 'B: tool reward 0', color: B_COLOR, points: a && b ? series(db.metrics, c.metric) : [] },
            ];
            // data-points counts the live steps only; data-recorded the recorded ones.
            return (
              <div key={c.metric} className="rl-chart" data-testid={id} data-points={stepsIn(live)} data-recorded={stepsIn(recorded)}>
                <UChart title={c.title} testId={`${id}-chart`} lines={[...recorded, ...live]} />
              </div>
            );
          })}
        </div>
      )}
      <RecordedSamples state={recording} />
    </section>
  );
}
