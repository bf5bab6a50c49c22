/**
 * The collapse demo's recorded run (public/demo/collapse-recording.json, `npm run demo:record`;
 * format in src/rl/recordedRun.ts): fetched once from the page's own origin, validated, and drawn
 * faded and dashed behind the live curves, so a class sees where the curves are heading from the
 * first second. A missing or invalid file shows a muted note and nothing else changes.
 */
import { useEffect, useState } from 'react';
import { M, type MetricName } from '../../src/rl/metrics';
import { parseRecording, type RecordedSample, type Recording } from '../../src/rl/recordedRun';
import { series } from './runData';
import type { Line } from './UChart';

export type RecordingState = { status: 'loading' } | { status: 'ok'; recording: Recording } | { status: 'missing' | 'invalid'; message: string };

export const recordingUrl = (): string => `${import.meta.env.BASE_URL}demo/collapse-recording.json`;

let loading: Promise<RecordingState> | null = null;

async function loadRecording(): Promise<RecordingState> {
  let res: Response;
  try {
    // Accept JSON only: a server's HTML fallback for a missing file would not be one.
    res = await fetch(recordingUrl(), { headers: { Accept: 'application/json' } });
  } catch (err) {
    return { status: 'missing', message: `could not fetch it (${err instanceof Error ? err.message : String(err)})` };
  }
  if (!res.ok) return { status: 'missing', message: `HTTP ${res.status}` };
  try {
    return { status: 'ok', recording: parseRecording(await res.text()) };
  } catch (err) {
    return { status: 'invalid', message: err instanceof Error ? err.message : String(err) };
  }
}

/** The recording, fetched on first use and kept for the page's lifetime. */
export function useRecording(): RecordingState {
  const [state, setState] = useState<RecordingState>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    void (loading ??= loadRecording()).then((s) => live && setState(s));
    return () => {
      live = false;
    };
  }, []);
  return state;
}

/** The recorded arms' lines of one metric: the live colours, faint and dashed (drawn first, so the live lines draw over them). */
export function recordedLines(rec: Recording, metric: MetricName, colors: { A: string; B: string }): Line[] {
  return [
    { label: 'A, recorded', color: `${colors.A}66`, dash: true, faded: true, points: series(rec.arms.A.metrics, metric) },
    { label: 'B, recorded', color: `${colors.B}66`, dash: true, faded: true, points: series(rec.arms.B.metrics, metric) },
  ];
}

const num = (x: number | null | undefined, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '–');

/** What the faded curves are, or why there are none. */
export function RecordedNote({ state }: { state: RecordingState }) {
  if (state.status === 'loading') return null;
  if (state.status !== 'ok')
    return (
      <p className="muted" data-testid="rl-collapse-recorded" data-status={state.status} data-steps={0}>
        No recorded run to draw behind the live curves ({state.message}).
      </p>
    );
  const rec = state.recording;
  const s = rec.settings;
  const tools = rec.summary.arms;
  const w = s.startWeights;
  const when = rec.recordedAt.slice(0, 10);
  return (
    <p className="muted" data-testid="rl-collapse-recorded" data-status="ok" data-steps={s.steps}>
        Faded, dashed: a recorded run of this demo ({s.steps} of {s.plannedSteps} steps, seed {s.seed}, tool reward {s.toolRewardCoef.A} vs 0, recorded {when}
        {w ? ` from models/${w.name} (${w.contentHash.slice(0, 12)})` : ''}), so you can see where the curves are heading; the live runs draw over it. In it, tool
        calls per trajectory went {num(tools['with-tool-reward'].metrics[M.toolCallsMean].start)} → {num(tools['with-tool-reward'].metrics[M.toolCallsMean].end)} with
        the tool reward and {num(tools['without-tool-reward'].metrics[M.toolCallsMean].start)} → {num(tools['without-tool-reward'].metrics[M.toolCallsMean].end)} without
        (means of the first and last {rec.summary.window} steps).{' '}
        {rec.summary.pass
          ? "It met the demo's bars (B at half its start's tool calls or less, A at 90 % or more and at least as accurate)."
          : "It missed the demo's bars (B at half its start's tool calls or less, A at 90 % or more and at least as accurate): with this start the effect depends on the seed, so a live run may go either way."}
    </p>
  );
}

/** The recorded run's sample trajectories (start and end of each arm), folded. */
export function RecordedSamples({ state }: { state: RecordingState }) {
  if (state.status !== 'ok') return null;
  const { A, B } = state.recording.arms;
  if (!A.samples.length && !B.samples.length) return null;
  return (
    <details className="muted" data-testid="rl-collapse-recorded-samples">
      <summary>Sample trajectories of the recorded run (start and end of each arm)</summary>
      {(['A', 'B'] as const).map((arm) => state.recording.arms[arm].samples.map((x) => <RecordedSampleView key={`${arm}-${x.step}-${x.id}`} arm={arm} sample={x} />))}
    </details>
  );
}

const PRE = { whiteSpace: 'pre-wrap', wordBreak: 'break-word' } as const;

function RecordedSampleView({ arm, sample }: { arm: 'A' | 'B'; sample: RecordedSample }) {
  return (
    <div>
      <p>
        <strong>
          {arm}, step {sample.step}:
        </strong>{' '}
        {sample.question} — {sample.toolCalls} tool call{sample.toolCalls === 1 ? '' : 's'}, {sample.correct ? 'right' : 'wrong'}
        {sample.rightAnswer !== null ? ` (right answer: ${sample.rightAnswer})` : ''}, reward {num(sample.reward)}
      </p>
      {sample.turns.map((t, i) => (
        <div key={i}>
          {t.reasoning && <div>{t.reasoning}</div>}
          {t.code && <pre style={PRE}>{t.code}</pre>}
          {t.output && <pre style={PRE}>{t.output}</pre>}
          {t.answer !== null && <div>answer: {t.answer}</div>}
        </div>
      ))}
    </div>
  );
}
