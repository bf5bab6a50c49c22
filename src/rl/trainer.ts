/**
 * The GRPO step loop (framework-free: the same code runs in a browser worker and headless in
 * Node). One step:
 *
 *   rollouts   ceil(oversample × promptsPerStep) prompts × groupSize trajectories, batched
 *              generation overlapping Python (rollouts.ts); repeated (a new generation batch)
 *              while fewer than promptsPerStep groups survive filtering, up to maxGenerationBatches
 *   scoring    rewards come from the loop (accuracy + accumulative tool reward); advantages,
 *              filtering and ranking (grpo.ts selectGroups)
 *   update     PPO-clip on the kept groups (grpo.ts ppoUpdate)
 *   bookkeeping metrics (metrics.ts), group records, sampled trajectories, checkpoints (RunStore)
 *
 * Stop: abort `signal` (a step in progress is abandoned before its update; the run ends with a
 * checkpoint of the last finished step). Pause: pause() / resume() between steps. Resume: when
 * the store holds a checkpoint, init() restores the model, the optimizer and the step count;
 * tasks and sampling seeds derive from (seed, step), so the run continues as it would have.
 */
import { toRecordJson } from '../agent/exportFormats';
import type { AgentEvent } from '../agent/loop';
import type { EndReason, Trajectory } from '../agent/types';
import type { Tokenizer } from '../model/tokenizer';
import { AdamW } from '../model/trainStep';
import { TinyVLM } from '../model/transformer';
import type { PythonRuntime } from '../runtime/types';
import { Rng, hashSeed } from '../tasks/rng';
import { suiteTask, type SuiteName } from '../tasks/suites';
import type { Task } from '../tasks/types';
import { validateRlConfig, type RlConfig } from './config';
import { responseTokens, trajectoryExample } from './examples';
import { ppoUpdate, selectGroups, survivorCount, type GroupInput, type GroupRecord, type MemberInput, type UpdateStats } from './grpo';
import { stepMetrics, type StepMetrics } from './metrics';
import { BatchedGenerator, runRollouts, type Rollout } from './rollouts';
import { jsonLine, loadLatestCheckpoint, saveCheckpoint, writeJson, type RunStore } from './runStore';

/** One trajectory as the group inspector shows it (plain data; the full record is in StepReport.trajectories). */
export interface TrajectorySummary extends MemberInput {
  taskId: string;
  suite: SuiteName;
  media: 'image' | 'video';
  difficulty: string | null;
  toolCalls: number;
  turns: number;
  endReason: EndReason | null;
  responseTokens: number;
  visualTokens: number;
  pythonMs: number;
  /**
   * What ended an ERROR_IN_ACTION episode: the Python error's type (NameError, TimeoutError,
   * ToolFailure for a simulated failure, …) or "parse" for a turn with neither code nor answer;
   * null otherwise. Tells a policy that writes broken code from a sandbox that fails.
   */
  errorType: string | null;
}

export interface StepReport {
  step: number;
  metrics: StepMetrics;
  /** Every group of the step with its rewards, advantages (raw and normalised) and fate. */
  groups: Array<GroupRecord<TrajectorySummary>>;
  /** The step's trajectories by id (for the inspector; large: images included). */
  trajectories: Map<string, Trajectory>;
}

export interface RunSummary {
  steps: number;
  stoppedBy: 'steps' | 'cancelled';
  lastMetrics: StepMetrics | null;
}

export interface TrainerDeps {
  /** The policy, trained in place (the caller owns and disposes it). */
  model: TinyVLM;
  tokenizer: Tokenizer;
  runtime: PythonRuntime;
  store?: RunStore | null;
  signal?: AbortSignal;
  /** The task of a prompt (default: drawn from config.mix, deterministic in seed and index). */
  taskFor?: (index: number) => { task: Task; suite: SuiteName };
  onStep?: (report: StepReport) => void;
  onRollout?: (rollout: Rollout, done: number, total: number) => void;
  /** Live agent events of the rollouts (streamed text, observations), by trajectory id. */
  onEvent?: (id: string, event: AgentEvent) => void;
  /** Anything to record in config.json next to the config (init checkpoint, backend…). */
  meta?: Record<string, unknown>;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The suite of prompt `index`, drawn from the normalised mix. */
export function drawSuite(mix: RlConfig['mix'], seed: number, index: number): SuiteName {
  const entries = (Object.entries(mix) as Array<[SuiteName, number]>).filter(([, w]) => w > 0).sort(([a], [b]) => (a < b ? -1 : 1));
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let u = new Rng(hashSeed('rl-mix', seed, index)).next() * total;
  for (const [name, w] of entries) if ((u -= w) < 0) return name;
  return entries[entries.length - 1]![0];
}

export class GrpoTrainer {
  readonly config: RlConfig;
  readonly optimizer: AdamW;
  /** RL steps completed. */
  step = 0;
  private readonly deps: TrainerDeps;
  private refModel: TinyVLM | null = null;
  private readonly taskCache = new Map<number, { task: Task; suite: SuiteName }>();
  private paused: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(config: RlConfig, deps: TrainerDeps) {
    this.config = validateRlConfig(config);
    this.deps = deps;
    const updatesPerStep = config.ppoEpochs * config.miniBatches;
    this.optimizer = new AdamW({ totalSteps: Math.max(1, config.steps * updatesPerStep), ...config.optim });
  }

  /** Keeps a reference copy (KL), resumes from the store's latest checkpoint, writes config.json. */
  async init(): Promise<void> {
    const { model, store } = this.deps;
    if (this.config.klCoef > 0 && !this.refModel) this.refModel = TinyVLM.fromTensors(model.config, model.params);
    if (store) {
      const resumed = await loadLatestCheckpoint(store, model, this.optimizer);
      if (resumed) this.step = resumed.step;
      else await writeJson(store, 'config.json', { config: this.config, meta: this.deps.meta ?? {}, startedAt: new Date().toISOString() });
    }
  }

  pause(): void {
    if (this.paused) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.paused = { promise, resolve };
  }

  resume(): void {
    this.paused?.resolve();
    this.paused = null;
  }

  private task(index: number): { task: Task; suite: SuiteName } {
    const { seed, taskPool, mix } = this.config;
    const i = taskPool > 0 ? hashSeed('rl-pool', seed, index) % taskPool : index;
    let hit = this.taskCache.get(i);
    if (!hit) {
      if (this.deps.taskFor) hit = this.deps.taskFor(i);
      else {
        const suite = drawSuite(mix, seed, i);
        // A seed of RL's own, so RL prompts are not the SFT data's tasks.
        hit = { task: suiteTask(suite, i, hashSeed('rl-tasks', seed)), suite };
      }
      this.taskCache.set(i, hit);
    }
    return hit;
  }

  /** One GRPO step (rollouts → scoring → update → bookkeeping). */
  async trainStep(): Promise<StepReport> {
    const cfg = this.config;
    const { model, tokenizer, runtime, store, signal } = this.deps;
    const s = this.step;
    const t0 = now();
    // Without a pool every index is new: keep only this step's tasks (each is asked for twice).
    if (cfg.taskPool === 0) this.taskCache.clear();
    const generator = new BatchedGenerator(model, tokenizer, { maxNewTokens: cfg.maxNewTokens, temperature: cfg.temperature, maxDecodeBatch: cfg.maxDecodeBatch, seed: cfg.seed, grammar: cfg.constrained ?? false, signal });
    const perBatch = Math.ceil(cfg.oversample * cfg.promptsPerStep);
    const groups: Array<GroupInput<TrajectorySummary>> = [];
    const summaries: TrajectorySummary[] = [];
    const trajectories = new Map<string, Trajectory>();
    let records: Array<GroupRecord<TrajectorySummary>> = [];
    let batches = 0;
    let scoringMs = 0;
    let pythonMs = 0;
    const select = () =>
      selectGroups(groups, { keep: cfg.promptsPerStep, stdNormalize: cfg.stdNormalize, rankByStd: cfg.rankByStd, filter: cfg.filter });
    while (batches < cfg.maxGenerationBatches) {
      const prompts = Array.from({ length: perBatch }, (_, j) => (s * cfg.maxGenerationBatches + batches) * perBatch + j);
      const requests = prompts.flatMap((p) => {
        const { task } = this.task(p);
        return Array.from({ length: cfg.groupSize }, (_, g) => ({ task, id: `s${s}-p${p}-g${g}` }));
      });
      const rollouts = await runRollouts(requests, {
        runtime,
        generator,
        loop: cfg,
        toolFailure: { rate: cfg.toolFailureRate ?? 0, seed: cfg.seed },
        concurrency: cfg.concurrency,
        signal,
        onRollout: this.deps.onRollout,
        onEvent: this.deps.onEvent,
      });
      batches++;
      const ts = now();
      prompts.forEach((p, j) => {
        const { suite } = this.task(p);
        const members = rollouts.slice(j * cfg.groupSize, (j + 1) * cfg.groupSize).map((r) => {
          trajectories.set(r.trajectory.id, r.trajectory);
          const summary = summarize(r, suite);
          pythonMs += summary.pythonMs;
          summaries.push(summary);
          return summary;
        });
        groups.push({ index: groups.length, taskId: members[0]!.taskId, members });
      });
      records = select();
      scoringMs += now() - ts;
      if (survivorCount(records) >= cfg.promptsPerStep) break;
    }
    const rolloutMs = now() - t0 - scoringMs;

    const tu = now();
    const rows = records
      .filter((g) => g.fate === 'kept')
      .flatMap((g) => g.members.filter((m) => m.fate === 'kept'))
      .map((m) => ({ example: trajectoryExample(tokenizer, trajectories.get(m.id)!), advantage: m.trainAdvantage }));
    let update: UpdateStats | null = null;
    if (rows.length) update = await ppoUpdate(model, this.optimizer, tokenizer, rows, cfg, this.refModel);
    const updateMs = now() - tu;
    this.step = s + 1;

    const metrics = stepMetrics(this.step, summaries, records, update, {
      generationBatches: batches,
      decodeBatches: generator.stats.batches,
      decodeRows: generator.stats.rows,
      timings: { generationMs: generator.stats.generateMs, pythonMs, rolloutMs, scoringMs, updateMs, stepMs: now() - t0 },
    });
    if (store) await this.persist(store, metrics, records, trajectories);
    const report: StepReport = { step: this.step, metrics, groups: records, trajectories };
    this.deps.onStep?.(report);
    return report;
  }

  private async persist(store: RunStore, metrics: StepMetrics, records: Array<GroupRecord<TrajectorySummary>>, trajectories: Map<string, Trajectory>): Promise<void> {
    const cfg = this.config;
    await store.append('metrics.jsonl', jsonLine(metrics));
    await store.append('groups.jsonl', jsonLine({ step: this.step, groups: records }));
    // Samples: from the kept groups in rank order, the best then the worst trajectory of each.
    const kept = records.filter((g) => g.fate === 'kept').sort((a, b) => a.rank! - b.rank!);
    const picks: string[] = [];
    for (const g of kept) {
      const ms = g.members.filter((m) => m.fate === 'kept').sort((a, b) => b.trainAdvantage - a.trainAdvantage);
      for (const m of [ms[0], ms[ms.length - 1]]) if (m && !picks.includes(m.id) && picks.length < cfg.samplesPerStep) picks.push(m.id);
    }
    const step = String(this.step).padStart(6, '0');
    for (const id of picks) await store.write(`samples/step-${step}-${id}.json`, new TextEncoder().encode(toRecordJson(trajectories.get(id)!)));
    if (cfg.checkpointEvery > 0 && this.step % cfg.checkpointEvery === 0) await this.checkpoint();
  }

  /** Saves a checkpoint of the current step into the store (no-op without a store). */
  async checkpoint(): Promise<string | null> {
    const { store, model, tokenizer } = this.deps;
    if (!store) return null;
    return saveCheckpoint(store, model, tokenizer, this.optimizer, { step: this.step, extra: { seed: this.config.seed } }, `tiny-vlm-grpo-step${this.step}`);
  }

  /** Steps until config.steps, the signal, or an error; the last step is checkpointed. */
  async run(): Promise<RunSummary> {
    await this.init();
    let last: StepMetrics | null = null;
    let stoppedBy: RunSummary['stoppedBy'] = 'steps';
    let lastSaved = this.step;
    try {
      while (this.step < this.config.steps) {
        if (this.paused) await this.paused.promise;
        if (this.deps.signal?.aborted) {
          stoppedBy = 'cancelled';
          break;
        }
        last = (await this.trainStep()).metrics;
        if (this.config.checkpointEvery > 0 && this.step % this.config.checkpointEvery === 0) lastSaved = this.step;
      }
    } catch (err) {
      if (!this.deps.signal?.aborted) throw err;
      stoppedBy = 'cancelled';
    }
    if (this.step > lastSaved) await this.checkpoint();
    return { steps: this.step, stoppedBy, lastMetrics: last };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.refModel?.dispose();
    this.refModel = null;
  }
}

function summarize(r: Rollout, suite: SuiteName): TrajectorySummary {
  const t = r.trajectory;
  return {
    id: t.id,
    reward: t.reward?.total ?? null,
    accuracy: t.reward?.accuracy ?? 0,
    broken: r.broken,
    imageObservation: t.turns.some((x) => (x.observation?.images.length ?? 0) > 0),
    taskId: t.task.id,
    suite,
    media: t.task.media.kind,
    difficulty: t.task.difficulty,
    toolCalls: t.reward?.toolCalls ?? 0,
    turns: t.turns.length,
    endReason: t.endReason,
    responseTokens: responseTokens(t),
    visualTokens: t.visualTokens,
    pythonMs: t.turns.reduce((n, x) => n + x.timings.executeMs, 0),
    errorType: errorTypeOf(t),
  };
}

/** TrajectorySummary.errorType of a trajectory. */
export function errorTypeOf(t: Trajectory): string | null {
  if (t.endReason !== 'ERROR_IN_ACTION') return null;
  const last = t.turns[t.turns.length - 1];
  if (!last) return null;
  if (last.observation?.error) return last.observation.error.type || last.observation.error.kind;
  return last.parseError ? 'parse' : null;
}

/** Builds a trainer, runs it to config.steps (or the signal), disposes what it made. */
export async function trainGrpo(config: RlConfig, deps: TrainerDeps): Promise<RunSummary> {
  const trainer = new GrpoTrainer(config, deps);
  try {
    return await trainer.run();
  } finally {
    trainer.dispose();
  }
}
