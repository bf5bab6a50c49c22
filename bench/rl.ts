/**
 * `npm run bench:rl -- [--init dir] [--config demo|test|paper|collapse] [--steps N] [--warmup k]
 *     [--seed s] [--python-workers k] [--backend wasm|cpu]`
 *
 * Seconds per GRPO step (src/rl/trainer.ts, in process, nothing persisted) on the demo preset
 * by default, from the SFT checkpoint in --init (default public/models/tiny), through the real
 * Node Python runtime. Prints one JSON object on stdout:
 *
 * - secondsPerStep: mean wall time of the measured steps (after --warmup steps, default 1:
 *   the first step pays for the TF.js kernels' first compilation and the Python pool's warm-up);
 * - split (seconds per step): generation (the model decoding, wall), python (code execution
 *   summed over trajectories: it overlaps generation and other trajectories, so it is a load,
 *   not a share of the wall time), rollout (the rollout phase's wall time: generation and
 *   Python overlapped), scoring (rewards → advantages, filtering, ranking), update (old
 *   log-probs + PPO steps), other (the step's rest: bookkeeping);
 * - trajectoriesPerSecond: trajectories rolled out per second of step wall time;
 * - peakMemory: this process's RSS and JS heap high-water (sampled every 100 ms), TF.js's
 *   tf.memory() high-water (bytes held in tensors, and tensor count), and the Python worker
 *   processes' summed RSS high-water (Linux /proc; null elsewhere);
 * - perStep: the same per step; machine: cores and load average (this machine is shared).
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runIfMain } from '../cli/runMain';
import { selectBackend, type BackendName } from '../src/model/backend';
import { Tokenizer } from '../src/model/tokenizer';
import { loadModel, nodeFileHandler } from '../src/model/weights';
import { isRlPreset, rlConfig, type RlPresetName } from '../src/rl/config';
import { M, type StepMetrics } from '../src/rl/metrics';
import { GrpoTrainer } from '../src/rl/trainer';
import { createNodeRuntime } from '../workers/node/nodeRuntime';

const USAGE = 'usage: npm run bench:rl -- [--init dir] [--config demo|test|paper|collapse] [--steps N] [--warmup k] [--seed s] [--python-workers k] [--backend wasm|cpu]';

const MB = 1024 * 1024;
const r1 = (x: number) => Number(x.toFixed(1));
const r3 = (x: number) => Number(x.toFixed(3));

/** Summed RSS (bytes) of every descendant process of `pid` (Linux /proc), or null where /proc is missing. */
export function descendantsRss(pid = process.pid): number | null {
  if (!fs.existsSync('/proc/self/stat')) return null;
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command (which may hold spaces): state ppid … ; rss (pages) is field 24.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(rest[1]));
      rss.set(Number(name), Number(rest[21]) * 4096);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  for (const [p] of parent) {
    let q = parent.get(p);
    for (let depth = 0; q !== undefined && q > 1 && depth < 16; depth++) {
      if (q === pid) {
        total += rss.get(p) ?? 0;
        break;
      }
      q = parent.get(q);
    }
  }
  return total;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      init: { type: 'string', default: 'public/models/tiny' },
      config: { type: 'string', default: 'demo' },
      steps: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      'python-workers': { type: 'string', default: '4' },
      backend: { type: 'string', default: 'wasm' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  if (!isRlPreset(values.config!)) throw new Error(`--config must be a preset (got '${values.config}')`);
  const steps = Number(values.steps);
  const warmup = Number(values.warmup);
  const workers = Number(values['python-workers']);
  if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(warmup) || warmup < 0 || !Number.isInteger(workers) || workers < 1) throw new Error('--steps ≥ 1, --warmup ≥ 0 and --python-workers ≥ 1 must be integers');
  const config = rlConfig({ preset: values.config as RlPresetName, seed: Number(values.seed), steps: steps + warmup, checkpointEvery: 0, samplesPerStep: 0 });
  const init = path.resolve(values.init!);
  if (!fs.existsSync(path.join(init, 'model.json'))) throw new Error(`--init: no model.json in ${init}`);

  const backend = await selectBackend({ force: values.backend as BackendName });
  const { model, meta } = await loadModel(nodeFileHandler(init));
  const tokenizer = Tokenizer.fromJSON(meta.tokenizer ?? JSON.parse(fs.readFileSync(path.join(init, 'tokenizer.json'), 'utf8')));
  const runtime = await createNodeRuntime({ poolSize: workers, maxWorkers: workers, packages: 'compat' });

  const peak = { rss: 0, heapUsed: 0, tfBytes: 0, tfTensors: 0, python: null as number | null };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    const t = tf.memory();
    peak.tfBytes = Math.max(peak.tfBytes, t.numBytes);
    peak.tfTensors = Math.max(peak.tfTensors, t.numTensors);
  };
  const samplePython = () => {
    const p = descendantsRss();
    if (p !== null) peak.python = Math.max(peak.python ?? 0, p);
  };
  const timer = setInterval(sample, 100);
  const pyTimer = setInterval(samplePython, 1000);
  const load0 = os.loadavg()[0]!;
  const perStep: StepMetrics[] = [];
  let trainer: GrpoTrainer | null = null;
  try {
    await runtime.start();
    trainer = new GrpoTrainer(config, { model, tokenizer, runtime, onStep: (r) => console.error(`step ${r.step}: ${(r.metrics[M.timeStep]! / 1000).toFixed(1)} s, ${r.metrics[M.trajectories]} trajectories`) });
    await trainer.init();
    for (let s = 0; s < steps + warmup; s++) {
      const r = await trainer.trainStep();
      sample();
      samplePython();
      perStep.push(r.metrics);
    }
  } finally {
    clearInterval(timer);
    clearInterval(pyTimer);
    trainer?.dispose();
    await runtime.dispose();
    model.dispose();
  }
  const measured = perStep.slice(warmup);
  const mean = (name: (typeof M)[keyof typeof M]) => measured.reduce((s, m) => s + (m[name] ?? 0), 0) / measured.length;
  const stepS = mean(M.timeStep) / 1000;
  const split = {
    generation: r3(mean(M.timeGeneration) / 1000),
    python: r3(mean(M.timePython) / 1000),
    rollout: r3(mean(M.timeRollout) / 1000),
    scoring: r3(mean(M.timeScoring) / 1000),
    update: r3(mean(M.timeUpdate) / 1000),
    other: r3((mean(M.timeStep) - mean(M.timeRollout) - mean(M.timeScoring) - mean(M.timeUpdate)) / 1000),
  };
  const trajectories = measured.reduce((s, m) => s + (m[M.trajectories] ?? 0), 0);
  const wall = measured.reduce((s, m) => s + (m[M.timeStep] ?? 0), 0) / 1000;
  const out = {
    bench: 'rl',
    preset: values.config,
    init,
    model: meta.name ?? null,
    backend: backend.name,
    shape: { promptsPerStep: config.promptsPerStep, groupSize: config.groupSize, oversample: config.oversample, maxGenerationBatches: config.maxGenerationBatches, maxTurns: config.maxTurns, maxNewTokens: config.maxNewTokens, pythonWorkers: workers },
    steps: measured.length,
    warmupSteps: warmup,
    secondsPerStep: r3(stepS),
    split,
    splitNote: 'seconds per step; generation and python overlap inside rollout (python is summed over concurrent trajectories)',
    trajectoriesPerSecond: r3(trajectories / wall),
    trajectoriesPerStep: r1(trajectories / measured.length),
    peakMemory: {
      rssMb: r1(peak.rss / MB),
      heapUsedMb: r1(peak.heapUsed / MB),
      tfBytesMb: r1(peak.tfBytes / MB),
      tfTensors: peak.tfTensors,
      pythonWorkersRssMb: peak.python === null ? null : r1(peak.python / MB),
    },
    perStep: perStep.map((m, i) => ({
      step: m.step,
      warmup: i < warmup,
      seconds: r3((m[M.timeStep] ?? 0) / 1000),
      generation: r3((m[M.timeGeneration] ?? 0) / 1000),
      python: r3((m[M.timePython] ?? 0) / 1000),
      scoring: r3((m[M.timeScoring] ?? 0) / 1000),
      update: r3((m[M.timeUpdate] ?? 0) / 1000),
      trajectories: m[M.trajectories],
      generationBatches: m[M.generationBatches],
      accuracy: m[M.accuracy],
      toolCalls: m[M.toolCallsMean],
    })),
    machine: { cores: os.cpus().length, load1Start: r3(load0), load1End: r3(os.loadavg()[0]!), node: process.version },
  };
  console.log(JSON.stringify(out, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
  return 0;
}

runIfMain(import.meta.url, main, USAGE);
