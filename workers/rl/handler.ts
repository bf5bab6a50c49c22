/**
 * The RL worker's logic, free of worker globals so it runs (and is tested) in Node: picks a
 * TF.js backend, builds the policy from the page's weights (or a run's latest checkpoint),
 * starts a Python runtime, and drives src/rl's GrpoTrainer step by step, writing everything to
 * the run store (config, metrics, groups, samples, per-step token views, checkpoints).
 *
 * Twin runs (the collapse demo) share this worker: one Python pool and one TF.js backend,
 * each arm with its own model and optimizer. The arms that are behind (all of them, as they
 * move in lockstep) step concurrently: while one arm waits for its Python tool calls, the other
 * decodes or updates on this thread, so the two cores stay busy (stepping them one after the
 * other left this thread idle whenever an arm waited on Python). Two workers would double the
 * memory (two Pyodide pools, two backends) for no more cores; lockstep keeps both arms at the
 * same step count, so the side-by-side curves are comparable at every moment. Nothing in a step
 * holds TF.js state across an await (tidy is synchronous), so concurrent steps do not mix, and
 * rollouts are seeded per trajectory, so an arm computes the same whichever arm runs beside it.
 *
 * Pause takes effect between steps (a step is rollouts + one update; there is no consistent
 * state inside it) and saves a checkpoint, so a reload while paused loses nothing. Stop
 * abandons the step in progress and checkpoints the last finished step. Resume truncates the
 * logs back to the checkpoint's step (steps after it are re-run, deterministically seeded).
 *
 * A lost GPU device (deviceLoss.ts) does not end the run: the arms are rebuilt on the next
 * backend from their latest checkpoints and go on, with a 'backend-lost' notice. On WebGPU
 * every step is checkpointed (a device can go at any time), so a loss costs at most the step
 * in progress; the steps after the checkpoint are re-run with the same seeds.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendChoice, type BackendName } from '../../src/model/backend';
import { deviceLossReason, deviceLostDuring, watchDevice } from '../../src/model/deviceLoss';
import { Tokenizer } from '../../src/model/tokenizer';
import type { TinyVLM } from '../../src/model/transformer';
import { modelFromArtifacts, WeightsError } from '../../src/model/weights';
import type { Trajectory } from '../../src/agent/types';
import type { PythonRuntime } from '../../src/runtime/types';
import { validateRlConfig, type RlConfig } from '../../src/rl/config';
import { jsonLine, readJson, writeJson, type RunStore } from '../../src/rl/runStore';
import { GrpoTrainer, type StepReport } from '../../src/rl/trainer';
import type { RlEvent, RlRequest, RunSpec, StepTokens } from './protocol';

export interface RlHandlerOptions {
  post(event: RlEvent): void;
  /** The store of one run (IndexedDB in the browser, memory in tests). list/remove enable pruning. */
  storeFor(runId: string): RunStore & { list?(prefix?: string): Promise<string[]>; remove?(paths: string[]): Promise<void> };
  createRuntime(): PythonRuntime | Promise<PythonRuntime>;
  wasmPaths?: Record<string, string>;
  /** Checkpoints kept per run (older ones are deleted when the store can); default 2. */
  keepCheckpoints?: number;
  /** Called after each finished step (tests force a device loss here). */
  afterStep?(runId: string, step: number): void;
}

/** Device losses survived in one start before the run gives up (each moves to a slower backend). */
const MAX_BACKEND_LOSSES = 3;

const pad = (step: number) => String(step).padStart(6, '0');
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const fromUtf8 = (b: Uint8Array) => new TextDecoder().decode(b);

interface Arm {
  spec: RunSpec;
  config: RlConfig;
  store: ReturnType<RlHandlerOptions['storeFor']>;
  model: TinyVLM;
  trainer: GrpoTrainer;
  lastSaved: number;
  done: boolean;
  /** The step being rolled out (1-based), for the rollout progress events. */
  live: { step: number };
}

/** The model and tokenizer of a run's latest checkpoint (null when it has none). */
export async function modelFromCheckpoint(store: RunStore): Promise<{ model: TinyVLM; tokenizer: Tokenizer; step: number } | null> {
  const latest = await readJson<{ step: number; dir: string }>(store, 'checkpoints/latest.json');
  if (!latest) return null;
  const modelJson = await readJson<tf.io.ModelJSON>(store, `${latest.dir}/model.json`);
  const weights = await store.read(`${latest.dir}/weights.bin`);
  if (!modelJson || !weights) throw new WeightsError(`checkpoint ${latest.dir} is incomplete`);
  const { model, meta } = modelFromArtifacts({
    format: modelJson.format,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    userDefinedMetadata: modelJson.userDefinedMetadata,
  });
  if (!meta.tokenizer) {
    model.dispose();
    throw new WeightsError(`checkpoint ${latest.dir} has no tokenizer`);
  }
  return { model, tokenizer: Tokenizer.fromJSON(meta.tokenizer), step: latest.step };
}

/** Drops log lines, token views and samples of steps after `step` (they are re-run on resume). */
export async function truncateRun(store: ReturnType<RlHandlerOptions['storeFor']>, step: number): Promise<void> {
  for (const file of ['metrics.jsonl', 'groups.jsonl']) {
    const bytes = await store.read(file);
    if (!bytes) continue;
    const lines = fromUtf8(bytes).split('\n').filter((l) => l.trim());
    const keep = lines.filter((l) => {
      try {
        return (JSON.parse(l) as { step: number }).step <= step;
      } catch {
        return false;
      }
    });
    if (keep.length !== lines.length) await store.write(file, new TextEncoder().encode(keep.map((l) => l + '\n').join('')));
  }
  if (store.list && store.remove) {
    const later = (p: string) => {
      const m = /step-(\d{6})/.exec(p);
      return !!m && Number(m[1]) > step;
    };
    const stale = [...(await store.list('samples/')), ...(await store.list('tokens/'))].filter(later);
    await store.remove(stale);
  }
}

/** The token view of a step's trajectories (small: text pieces, rounded log-probs, observation heads). */
export function stepTokens(trajectories: Map<string, Trajectory>): StepTokens {
  const out: StepTokens = {};
  for (const [id, t] of trajectories) {
    out[id] = t.turns.map((turn) => ({
      pieces: turn.tokens.pieces ?? [turn.text],
      logprobs: (turn.tokens.logprobs ?? []).map((x) => Math.round(x * 1000) / 1000),
      observation: turn.observation ? turn.observation.output.slice(0, 400) + (turn.observation.error ? `\n${turn.observation.error.type}: ${turn.observation.error.message}`.slice(0, 200) : '') : null,
      images: turn.observation?.images.length ?? 0,
    }));
  }
  return out;
}

export function createRlHandler(opts: RlHandlerOptions): (msg: RlRequest) => Promise<void> {
  let controller: AbortController | null = null;
  let pauseWanted = false;
  let resumeGate: (() => void) | null = null;
  const keep = opts.keepCheckpoints ?? 2;

  const saveCheckpoint = async (arm: Arm) => {
    if (arm.trainer.step <= arm.lastSaved) return;
    await arm.trainer.checkpoint();
    arm.lastSaved = arm.trainer.step;
    opts.post({ type: 'checkpoint', runId: arm.spec.runId, step: arm.lastSaved });
    await prune(arm);
  };
  const prune = async (arm: Arm) => {
    if (!arm.store.list || !arm.store.remove) return;
    const files = await arm.store.list('checkpoints/step-');
    const dirs = [...new Set(files.map((f) => f.split('/').slice(0, 2).join('/')))].sort();
    const old = new Set(dirs.slice(0, Math.max(0, dirs.length - keep)));
    await arm.store.remove(files.filter((f) => old.has(f.split('/').slice(0, 2).join('/'))));
  };

  const prepare = async (spec: RunSpec, weights: Extract<RlRequest, { type: 'start' }>['weights'], runtime: PythonRuntime, signal: AbortSignal): Promise<Arm> => {
    const store = opts.storeFor(spec.runId);
    let config = spec.config;
    let built: { model: TinyVLM; tokenizer: Tokenizer };
    let lastSaved = 0;
    if (spec.resume) {
      const saved = await readJson<{ config: RlConfig }>(store, 'config.json');
      // The saved config is the run's; only the step target may grow ("train 20 more steps").
      if (saved?.config) config = { ...saved.config, steps: Math.max(saved.config.steps, spec.config.steps) };
      const cp = await modelFromCheckpoint(store);
      if (!cp) throw new Error(`run ${spec.runId} has no checkpoint to resume from`);
      await truncateRun(store, cp.step);
      built = cp;
      lastSaved = cp.step;
    } else {
      if (!weights) throw new Error('no weights to start from: load a model first');
      const { model, meta } = modelFromArtifacts(weights.artifacts);
      const json = meta.tokenizer ?? weights.tokenizer;
      if (!json) {
        model.dispose();
        throw new WeightsError('the weights carry no tokenizer');
      }
      built = { model, tokenizer: Tokenizer.fromJSON(json) };
    }
    validateRlConfig(config);
    const live = { step: 0 };
    const trainer = new GrpoTrainer(config, {
      model: built.model,
      tokenizer: built.tokenizer,
      runtime,
      store,
      signal,
      meta: spec.meta,
      onRollout: (_r, done, total) => opts.post({ type: 'rollout', runId: spec.runId, step: live.step, done, total }),
    });
    await trainer.init();
    const arm: Arm = { spec, config, store, model: built.model, trainer, lastSaved, done: false, live };
    // The start weights as checkpoint 0: a run can resume (and be exported) before its first save.
    if (!spec.resume && trainer.step === 0) {
      await trainer.checkpoint();
      opts.post({ type: 'checkpoint', runId: spec.runId, step: 0 });
    }
    opts.post({ type: 'started', runId: spec.runId, step: trainer.step, steps: config.steps });
    return arm;
  };

  /** One step of one arm: rollouts and update; on WebGPU the step is checkpointed at once. */
  const stepArm = async (arm: Arm, backendName: BackendName, device: ReturnType<typeof watchDevice>): Promise<StepReport> => {
    arm.live.step = arm.trainer.step + 1;
    const report = await arm.trainer.trainStep();
    // Rollouts on a lost device end as failed episodes rather than throwing: not a real step.
    const lostDuring = deviceLostDuring([...report.trajectories.values()].map((t) => t.error), device);
    if (lostDuring) throw new Error(lostDuring);
    // A device can go at any moment: keep every finished step (the loss then costs one step).
    const every = arm.config.checkpointEvery;
    if (backendName === 'webgpu' && !(every > 0 && report.step % every === 0)) await saveCheckpoint(arm);
    return report;
  };

  /** After a finished step: its token view, the checkpoint cadence, and the step event. */
  const finishStep = async (arm: Arm, report: StepReport) => {
    await writeJson(arm.store, `tokens/step-${pad(report.step)}.json`, stepTokens(report.trajectories));
    const samples = arm.store.list ? await arm.store.list(`samples/step-${pad(report.step)}-`) : [];
    const every = arm.config.checkpointEvery;
    if (every > 0 && report.step % every === 0) {
      arm.lastSaved = report.step;
      opts.post({ type: 'checkpoint', runId: arm.spec.runId, step: report.step });
      await prune(arm);
    }
    // NaN does not survive JSON but does survive postMessage; send what the log file holds.
    opts.post({ type: 'step', runId: arm.spec.runId, step: report.step, metrics: JSON.parse(jsonLine(report.metrics)), groups: JSON.parse(jsonLine(report.groups)), samples });
    opts.afterStep?.(arm.spec.runId, report.step);
  };

  const start = async (msg: Extract<RlRequest, { type: 'start' }>) => {
    const ctrl = new AbortController();
    controller = ctrl;
    pauseWanted = false;
    const arms: Arm[] = [];
    let runtime: PythonRuntime | null = null;
    let stopped = false;
    try {
      opts.post({ type: 'phase', phase: 'loading', detail: 'Starting TF.js…' });
      const lostBackends: BackendName[] = [];
      let backend: BackendChoice = await selectBackend({ force: msg.backend, ...(opts.wasmPaths ? { wasmPaths: opts.wasmPaths } : {}) });
      let device = watchDevice();
      opts.post({ type: 'backend', backend });
      opts.post({ type: 'phase', phase: 'python', detail: 'Starting Python…' });
      runtime = await opts.createRuntime();
      const rt = runtime;
      const pythonReady = rt.start();
      for (const spec of msg.runs) arms.push(await prepare(spec, msg.weights, rt, ctrl.signal));
      await pythonReady;
      opts.post({ type: 'phase', phase: 'running', detail: 'Training' });
      for (;;) {
        if (pauseWanted && !ctrl.signal.aborted) {
          for (const arm of arms) await saveCheckpoint(arm);
          // The gate exists before 'paused' is posted, so a resume that answers at once is not lost.
          const gate = new Promise<void>((r) => (resumeGate = r));
          opts.post({ type: 'paused', steps: Object.fromEntries(arms.map((a) => [a.spec.runId, a.trainer.step])) });
          if (pauseWanted) await gate;
          resumeGate = null;
          if (!ctrl.signal.aborted) opts.post({ type: 'phase', phase: 'running', detail: 'Training' });
        }
        if (ctrl.signal.aborted) {
          stopped = true;
          break;
        }
        for (const a of arms) if (a.trainer.step >= a.config.steps) a.done = true;
        const live = arms.filter((a) => !a.done);
        if (!live.length) break;
        const behind = Math.min(...live.map((a) => a.trainer.step));
        const batch = live.filter((a) => a.trainer.step === behind);
        const settled = await Promise.allSettled(batch.map((arm) => stepArm(arm, backend.name, device)));
        // Finished steps are kept and reported even when the other arm's step failed.
        for (let i = 0; i < batch.length; i++) {
          const r = settled[i]!;
          if (r.status === 'fulfilled') await finishStep(batch[i]!, r.value);
        }
        const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (!failed) continue;
        const err: unknown = failed.reason;
        if (ctrl.signal.aborted) {
          stopped = true;
          break;
        }
        const lost = deviceLossReason(err, device);
        if (!lost || lostBackends.length >= MAX_BACKEND_LOSSES) throw err;
        lostBackends.push(backend.name);
        // The arms' tensors lived on the lost device: drop them and rebuild from the store.
        for (const arm of arms.splice(0)) {
          try {
            arm.trainer.dispose();
            arm.model.dispose();
          } catch {
            // A lost device's buffers may refuse to be freed; they are gone with it anyway.
          }
        }
        backend = await selectBackend({ exclude: lostBackends, ...(opts.wasmPaths ? { wasmPaths: opts.wasmPaths } : {}) });
        device = watchDevice();
        opts.post({ type: 'backend', backend });
        for (const spec of msg.runs) arms.push(await prepare({ ...spec, resume: true }, null, rt, ctrl.signal));
        const steps = Object.fromEntries(arms.map((a) => [a.spec.runId, a.trainer.step]));
        opts.post({ type: 'backend-lost', from: lostBackends[lostBackends.length - 1]!, to: backend.name, reason: lost, steps });
      }
      opts.post({ type: 'phase', phase: 'stopping', detail: 'Saving checkpoints…' });
      for (const arm of arms) await saveCheckpoint(arm);
      opts.post({ type: 'done', runs: arms.map((a) => ({ runId: a.spec.runId, steps: a.trainer.step, stoppedBy: stopped ? 'stopped' : 'steps' })) });
    } catch (err) {
      // Keep what was learned: a failed step leaves the last finished one checkpointable.
      for (const arm of arms) await saveCheckpoint(arm).catch(() => {});
      opts.post({ type: 'error', message: message(err) });
    } finally {
      for (const arm of arms) {
        arm.trainer.dispose();
        arm.model.dispose();
      }
      await runtime?.dispose().catch(() => {});
      controller = null;
    }
  };

  return async (msg) => {
    switch (msg.type) {
      case 'start':
        if (controller) return opts.post({ type: 'error', message: 'a run is already training in this worker' });
        return start(msg);
      case 'pause':
        if (!controller || pauseWanted) return;
        pauseWanted = true;
        return opts.post({ type: 'phase', phase: 'pausing', detail: 'Pausing after the step in progress…' });
      case 'resume':
        pauseWanted = false;
        return resumeGate?.();
      case 'stop':
        if (!controller) return;
        opts.post({ type: 'phase', phase: 'stopping', detail: 'Stopping…' });
        controller.abort();
        pauseWanted = false;
        return resumeGate?.();
    }
  };
}
