/**
 * A recorded run of the collapse demo, small enough to ship with the app
 * (public/demo/collapse-recording.json, written by `npm run demo:record` from a
 * `npm run demo:collapse` output folder): both arms' per-step metrics (only what the collapse
 * charts and the summary read, rounded), a trajectory from the start and from the end of each
 * arm (text trimmed, no images), the settings and the summary. The page draws it, faded,
 * behind the live curves (app/rl/RecordedRun.tsx).
 *
 *   { format: 'pyvision-collapse-recording', version: 1, recordedAt,
 *     settings: { seed, steps, plannedSteps, window, config (arm A's RlConfig), toolRewardCoef: { A, B },
 *                 startWeights: { name, model, contentHash } | null, command },
 *     arms: { A: { name: 'with-tool-reward', metrics: [metrics.jsonl lines], samples: [≤ 2] }, B: {…} },
 *     summary: DemoSummary (src/rl/collapseSummary.ts) }
 *
 * Each metrics line validates against `metricsLineSchema`, the schema of a run folder's
 * metrics.jsonl line, and the config against the run's own validator (validateRlConfig).
 * Pure: no files, no DOM.
 */
import { z } from 'zod';
import { reasoningOf } from '../agent/protocol';
import { ARMS, summarize, TRACKED, type ArmName, type DemoSummary } from './collapseSummary';
import { validateRlConfig, type RlConfig } from './config';
import { END_REASONS, endMetric, M, type MetricName, type StepMetrics } from './metrics';

export const RECORDING_FORMAT = 'pyvision-collapse-recording';
/** The metrics a recording keeps per step: the collapse charts' four and the reward. */
export const RECORDED_METRICS: readonly MetricName[] = TRACKED;
/** Arm key in a recording → arm folder of a demo:collapse output. */
export const ARM_FOLDERS: Record<'A' | 'B', ArmName> = { A: 'with-tool-reward', B: 'without-tool-reward' };
/** Means over this many steps at each end, when results.json does not say (demo:collapse's default). */
export const DEFAULT_WINDOW = 5;

const KNOWN_METRICS = new Set<string>([...Object.values(M), ...END_REASONS.map(endMetric)]);

/**
 * One line of a run folder's metrics.jsonl: an integer step and known metric names with numbers
 * (null stands for NaN, which JSON cannot hold; src/rl/runStore.ts jsonLine).
 */
export const metricsLineSchema = z
  .object({ step: z.number().int().min(0) })
  .catchall(z.number().nullable())
  .superRefine((line, ctx) => {
    for (const k of Object.keys(line)) if (!KNOWN_METRICS.has(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'not a metric name (src/rl/metrics.ts)' });
  });

/** A recording's metrics line: a metrics.jsonl line that holds every recorded metric. */
const recordedLineSchema = metricsLineSchema.superRefine((line, ctx) => {
  for (const k of RECORDED_METRICS) if (!(k in line)) ctx.addIssue({ code: 'custom', path: [k], message: 'missing' });
});

const LIMITS = { question: 300, reasoning: 240, code: 400, output: 240, answer: 80, turns: 6 } as const;

const sampleSchema = z.object({
  step: z.number().int().min(0),
  id: z.string().max(200),
  family: z.string().max(100),
  question: z.string().max(LIMITS.question),
  rightAnswer: z.string().max(LIMITS.answer).nullable(),
  toolCalls: z.number().int().min(0),
  correct: z.boolean(),
  reward: z.number().nullable(),
  endReason: z.string().max(40).nullable(),
  turns: z
    .array(
      z.object({
        reasoning: z.string().max(LIMITS.reasoning),
        code: z.string().max(LIMITS.code).nullable(),
        output: z.string().max(LIMITS.output).nullable(),
        answer: z.string().max(LIMITS.answer).nullable(),
      }),
    )
    .max(LIMITS.turns),
});
export type RecordedSample = z.infer<typeof sampleSchema>;

const armSchema = (name: ArmName) =>
  z.object({
    name: z.literal(name),
    metrics: z.array(recordedLineSchema).min(1),
    /** A trajectory from the earliest and one from the latest step that saved one. */
    samples: z.array(sampleSchema).max(2),
  });

const startEnd = z.object({ start: z.number().nullable(), end: z.number().nullable(), ratio: z.number().nullable() });
const summarySchema = z.object({
  comparedSteps: z.number().int().min(0),
  window: z.number().int().min(1),
  sameStart: z.boolean(),
  arms: z.record(z.string(), z.object({ steps: z.number().int(), firstStepToolCalls: z.number().nullable(), metrics: z.record(z.string(), startEnd) })),
  bars: z.object({
    withoutToolReward: z.object({ maxRatio: z.number(), ratio: z.number().nullable(), pass: z.boolean() }),
    withToolReward: z.object({ minRatio: z.number(), ratio: z.number().nullable(), pass: z.boolean() }),
    accuracy: z.object({ withEnd: z.number().nullable(), withoutEnd: z.number().nullable(), pass: z.boolean() }),
  }),
  pass: z.boolean(),
});

const recordingSchema = z.object({
  format: z.literal(RECORDING_FORMAT),
  version: z.literal(1),
  recordedAt: z.string().min(1).max(40),
  settings: z.object({
    seed: z.number().int(),
    /** Steps recorded (both arms finished them). */
    steps: z.number().int().min(1),
    /** Steps the runs were set up for. */
    plannedSteps: z.number().int().min(0),
    window: z.number().int().min(1),
    /** Arm A's config; arm B's is the same but for toolRewardCoef. */
    config: z.record(z.string(), z.unknown()),
    toolRewardCoef: z.object({ A: z.number().gt(0), B: z.literal(0) }),
    startWeights: z.object({ name: z.string().max(200), model: z.string().max(200).nullable(), contentHash: z.string().max(128) }).nullable(),
    command: z.string().max(1000).nullable(),
  }),
  arms: z.object({ A: armSchema('with-tool-reward'), B: armSchema('without-tool-reward') }),
  summary: summarySchema,
});

export interface Recording extends Omit<z.infer<typeof recordingSchema>, 'settings' | 'arms' | 'summary'> {
  settings: Omit<z.infer<typeof recordingSchema>['settings'], 'config'> & { config: RlConfig };
  arms: Record<'A' | 'B', { name: ArmName; metrics: StepMetrics[]; samples: RecordedSample[] }>;
  summary: DemoSummary;
}

export class RecordingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingError';
  }
}

const formatPath = (path: PropertyKey[]) => (path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'the file');

/** `metrics` as the charts read them: null (NaN in the log) back to NaN. */
function toStepMetrics(lines: Array<Record<string, number | null>>): StepMetrics[] {
  return lines.map((l) => {
    const out = {} as StepMetrics;
    for (const [k, v] of Object.entries(l)) (out as Record<string, number>)[k] = v === null ? NaN : v;
    return out;
  });
}

function byArm(arms: Recording['arms']): Record<ArmName, StepMetrics[]> {
  return { 'with-tool-reward': arms.A.metrics, 'without-tool-reward': arms.B.metrics };
}

/**
 * Validates a recording (its JSON text or the parsed value) and returns it, metrics with NaN
 * where the file has null; throws one RecordingError naming the first problem.
 */
export function parseRecording(json: unknown): Recording {
  let raw = json;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch {
      throw new RecordingError('not a collapse recording: the file is not valid JSON');
    }
  }
  const parsed = recordingSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), raw);
    const msg = issue.code === 'invalid_type' && at === undefined ? 'missing' : issue.message;
    throw new RecordingError(`not a collapse recording: ${formatPath(issue.path)}: ${msg}`);
  }
  const doc = parsed.data;
  let config: RlConfig;
  try {
    config = validateRlConfig(doc.settings.config as unknown as RlConfig);
  } catch (err) {
    throw new RecordingError(`not a collapse recording: settings.config: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const key of ['A', 'B'] as const) {
    const steps = doc.arms[key].metrics.map((m) => m.step);
    if (steps.some((s, i) => i > 0 && s <= steps[i - 1]!)) throw new RecordingError(`not a collapse recording: arms.${key}.metrics: steps are not increasing`);
  }
  const arms = {
    A: { ...doc.arms.A, metrics: toStepMetrics(doc.arms.A.metrics) },
    B: { ...doc.arms.B, metrics: toStepMetrics(doc.arms.B.metrics) },
  };
  const summary = summarize(byArm(arms), doc.settings.window);
  if (summary.comparedSteps !== doc.summary.comparedSteps || summary.pass !== doc.summary.pass)
    throw new RecordingError('not a collapse recording: summary does not match the metrics');
  return { ...doc, settings: { ...doc.settings, config }, arms, summary };
}

// ---- from a demo:collapse output folder (the CLI reads the files) ----

export interface ArmFolderFiles {
  /** config.json of the run folder. */
  config: string;
  /** metrics.jsonl. */
  metrics: string;
  /** Sample trajectory files (samples/step-XXXXXX-<id>.json): at least those `samplesToRead` picks. */
  samples: Array<{ path: string; text: string }>;
}

export interface DemoFolderFiles {
  arms: Record<ArmName, ArmFolderFiles>;
  /** results.json of the demo output, when there is one (the command and the window). */
  results?: string | null;
}

const stepOf = (path: string): number | null => {
  const m = /(?:^|\/)step-(\d{6})-[^/]+\.json$/.exec(path);
  return m ? Number(m[1]) : null;
};

/** Of a run folder's sample paths, those a recording may use: every sample of the earliest and of the latest step (up to `maxStep`). */
export function samplesToRead(paths: string[], maxStep = Infinity): string[] {
  const steps = paths.map(stepOf).filter((s): s is number => s !== null && s <= maxStep);
  if (!steps.length) return [];
  const lo = Math.min(...steps);
  const hi = Math.max(...steps);
  return paths.filter((p) => stepOf(p) === lo || stepOf(p) === hi).sort();
}

const round = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Number(x.toFixed(4)));
const trim = (s: string, n: number): string => {
  const t = s.trim();
  return t.length <= n ? t : `${t.slice(0, n - 1)}…`;
};

function jsonOf(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RecordingError(`${what} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** metrics.jsonl → its lines, each validated against the run's metrics-line schema; one per step (the last wins), sorted. */
export function readMetricsLines(what: string, text: string): Array<z.infer<typeof metricsLineSchema>> {
  const byStep = new Map<number, z.infer<typeof metricsLineSchema>>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const r = metricsLineSchema.safeParse(jsonOf(`${what}, line ${i + 1}`, line));
    if (!r.success) throw new RecordingError(`${what}, line ${i + 1}: ${formatPath(r.error.issues[0]!.path)}: ${r.error.issues[0]!.message}`);
    byStep.set(r.data.step, r.data);
  });
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/** A saved trajectory (samples/*.json, src/agent/exportFormats.ts record) → a small sample; images are left out, text trimmed. */
const trajectoryFields = z.object({
  trajectory: z.object({
    id: z.string(),
    task: z.object({ family: z.string(), question: z.string(), answer: z.string().nullable() }),
    turns: z.array(
      z.object({
        text: z.string(),
        code: z.string().nullable(),
        answer: z.string().nullable(),
        observation: z.object({ output: z.string().optional(), error: z.object({ message: z.string() }).nullable().optional() }).nullable(),
      }),
    ),
    endReason: z.string().nullable(),
    reward: z.object({ accuracy: z.number(), toolCalls: z.number(), total: z.number() }).nullable(),
  }),
});

function sampleOf(path: string, text: string): RecordedSample {
  const r = trajectoryFields.safeParse(jsonOf(path, text));
  if (!r.success) throw new RecordingError(`${path}: not a trajectory record (${formatPath(r.error.issues[0]!.path)}: ${r.error.issues[0]!.message})`);
  const t = r.data.trajectory;
  const output = (o: (typeof t.turns)[number]['observation']) => (o ? trim(o.error ? `${o.output ?? ''}${o.error.message}` : o.output || '(no output)', LIMITS.output) : null);
  return {
    step: stepOf(path) ?? 0,
    id: trim(t.id, 200),
    family: trim(t.task.family, 100),
    question: trim(t.task.question, LIMITS.question),
    rightAnswer: t.task.answer === null ? null : trim(t.task.answer, LIMITS.answer),
    toolCalls: t.reward?.toolCalls ?? t.turns.filter((x) => x.code !== null).length,
    correct: (t.reward?.accuracy ?? 0) >= 1,
    reward: round(t.reward?.total ?? null),
    endReason: t.endReason === null ? null : trim(t.endReason, 40),
    turns: t.turns.slice(0, LIMITS.turns).map((x) => ({
      reasoning: trim(reasoningOf(x.text), LIMITS.reasoning),
      code: x.code === null ? null : trim(x.code, LIMITS.code),
      output: output(x.observation),
      answer: x.answer === null ? null : trim(x.answer, LIMITS.answer),
    })),
  };
}

/** The earliest and the latest step's sample (the first by path at each). */
function pickSamples(files: ArmFolderFiles['samples'], maxStep: number): RecordedSample[] {
  const usable = files.filter((f) => {
    const s = stepOf(f.path);
    return s !== null && s <= maxStep;
  });
  const chosen = samplesToRead(usable.map((f) => f.path), maxStep);
  if (!chosen.length) return [];
  const first = chosen[0]!;
  const last = chosen.filter((p) => stepOf(p) === stepOf(chosen[chosen.length - 1]!))[0]!;
  const text = (p: string) => usable.find((f) => f.path === p)!.text;
  return (first === last ? [first] : [first, last]).map((p) => sampleOf(p, text(p)));
}

interface SavedConfig {
  config?: RlConfig;
  meta?: { init?: string; initName?: string | null; initHash?: string };
  startedAt?: string;
}

/**
 * A recording from a demo:collapse output's files (already read; nothing here touches a disk).
 * Both arms are cut to the steps both finished; the summary is computed from the rounded
 * metrics, so it is what parseRecording computes from the file.
 */
export function recordingFromRunFolders(files: DemoFolderFiles): Recording {
  const saved = {} as Record<ArmName, SavedConfig>;
  const configs = {} as Record<ArmName, RlConfig>;
  const lines = {} as Record<ArmName, ReturnType<typeof readMetricsLines>>;
  for (const arm of ARMS) {
    const f = files.arms[arm];
    saved[arm] = jsonOf(`${arm}/config.json`, f.config) as SavedConfig;
    if (!saved[arm]?.config) throw new RecordingError(`${arm}/config.json has no config`);
    try {
      configs[arm] = validateRlConfig(saved[arm].config!);
    } catch (err) {
      throw new RecordingError(`${arm}/config.json: ${err instanceof Error ? err.message : String(err)}`);
    }
    lines[arm] = readMetricsLines(`${arm}/metrics.jsonl`, f.metrics);
  }
  const A = configs['with-tool-reward'];
  const B = configs['without-tool-reward'];
  if (!(A.toolRewardCoef > 0) || B.toolRewardCoef !== 0) throw new RecordingError(`not a collapse demo: tool reward ${A.toolRewardCoef} (with) vs ${B.toolRewardCoef} (without); want > 0 vs 0`);
  if (JSON.stringify({ ...A, toolRewardCoef: 0 }) !== JSON.stringify(B)) throw new RecordingError('not a collapse demo: the two arms differ in more than the tool reward');
  const n = Math.min(lines['with-tool-reward'].length, lines['without-tool-reward'].length);
  if (n < 1) throw new RecordingError('no step that both arms finished: nothing to record');

  const results = files.results ? (jsonOf('results.json', files.results) as { settings?: { command?: unknown; window?: unknown } }) : null;
  const w = results?.settings?.window;
  const window = typeof w === 'number' && Number.isInteger(w) && w >= 1 ? w : DEFAULT_WINDOW;
  const command = typeof results?.settings?.command === 'string' ? trim(results.settings.command, 1000) : null;

  const arm = (name: ArmName) => {
    const rows = lines[name].slice(0, n);
    const maxStep = rows[rows.length - 1]!.step;
    const metrics = rows.map((r) => {
      const out: Record<string, number | null> = { step: r.step };
      for (const k of RECORDED_METRICS) out[k] = round(r[k] ?? null);
      return out;
    });
    return { name, metrics: toStepMetrics(metrics), samples: pickSamples(files.arms[name].samples, maxStep) };
  };
  const arms = { A: arm('with-tool-reward'), B: arm('without-tool-reward') };
  const meta = saved['with-tool-reward'].meta;
  const startWeights =
    meta?.initHash && typeof meta.initHash === 'string'
      ? { name: (meta.init ?? '').split(/[\\/]/).filter(Boolean).pop() ?? 'unknown', model: meta.initName ?? null, contentHash: meta.initHash }
      : null;
  return {
    format: RECORDING_FORMAT,
    version: 1,
    recordedAt: saved['with-tool-reward'].startedAt ?? new Date().toISOString(),
    settings: { seed: A.seed, steps: n, plannedSteps: A.steps, window, config: A, toolRewardCoef: { A: A.toolRewardCoef, B: 0 }, startWeights, command },
    arms,
    summary: summarize(byArm(arms), window),
  };
}

/** The recording as the JSON file ships it (NaN as null, no indentation: it is read by the page, not by people). */
export function recordingJson(rec: Recording): string {
  return JSON.stringify(rec, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n';
}
