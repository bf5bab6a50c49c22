/**
 * `npm run train -- [--config demo|test|paper|file.json] [--init dir] [--out dir] [--steps N]
 *     [--seed s] [--tool-reward c] [--tool-failure p] [--group G] [--prompts P] [--oversample f] [--lr x]
 *     [--max-turns T] [--max-new-tokens n] [--temperature t] [--std-norm] [--no-std-rank]
 *     [--require-image] [--kl c] [--task-pool n] [--python-workers k] [--backend wasm|cpu]`
 *
 * Headless GRPO (src/rl/trainer.ts, the same code the browser worker runs) through the real Node
 * Python runtime. Starts from the SFT checkpoint in --init (default public/models/tiny: model.json
 * + weights.bin, tokenizer inside model.json or in tokenizer.json) and writes into --out (default
 * runs/<config>-<time>): config.json, metrics.jsonl, groups.jsonl, samples/, checkpoints/.
 * An --out that already holds a checkpoint is resumed. One metrics line per step on stderr; the
 * run summary as JSON on stdout.
 *
 * A config file is a partial RlConfig (JSON), optionally with "preset": "demo" | "test" | "paper"
 * as its base; flags override it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../src/model/backend';
import { Tokenizer } from '../src/model/tokenizer';
import { loadModel, nodeFileHandler } from '../src/model/weights';
import { isRlPreset, rlConfig, validateRlConfig, type RlConfig, type RlPresetName } from '../src/rl/config';
import { formatMetricsLine } from '../src/rl/metrics';
import { nodeRunStore } from '../src/rl/runStore';
import { trainGrpo } from '../src/rl/trainer';
import { createNodeRuntime } from '../workers/node/nodeRuntime';
import { runIfMain } from './runMain';
import { optionalNumber } from './args';

const USAGE =
  'usage: npm run train -- [--config demo|test|paper|file.json] [--init dir] [--out dir] [--steps N] [--seed s] [--tool-reward c] [--tool-failure p] [--group G] [--prompts P] [--oversample f] [--lr x] [--max-turns T] [--max-new-tokens n] [--temperature t] [--std-norm] [--no-std-rank] [--require-image] [--kl c] [--task-pool n] [--python-workers k] [--backend wasm|cpu]';


/** The config from --config (a preset name or a JSON file of overrides). */
export function loadConfig(spec: string): { config: RlConfig; name: string } {
  if (isRlPreset(spec)) return { config: rlConfig({ preset: spec }), name: spec };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(spec, 'utf8'));
  } catch (err) {
    throw new Error(`--config: '${spec}' is neither a preset (demo, test, paper) nor a readable JSON file (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`--config: ${spec} must hold a JSON object`);
  const over = raw as Partial<RlConfig> & { preset?: string };
  if (over.preset !== undefined && !isRlPreset(over.preset)) throw new Error(`--config: unknown preset '${over.preset}'`);
  return { config: rlConfig(over as Partial<RlConfig> & { preset?: RlPresetName }), name: path.basename(spec).replace(/\.json$/, '') };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', default: 'demo' },
      init: { type: 'string', default: 'public/models/tiny' },
      out: { type: 'string' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      'tool-reward': { type: 'string' },
      'tool-failure': { type: 'string' },
      group: { type: 'string' },
      prompts: { type: 'string' },
      oversample: { type: 'string' },
      lr: { type: 'string' },
      'max-turns': { type: 'string' },
      'max-new-tokens': { type: 'string' },
      temperature: { type: 'string' },
      'std-norm': { type: 'boolean' },
      'no-std-rank': { type: 'boolean' },
      'require-image': { type: 'boolean' },
      kl: { type: 'string' },
      'task-pool': { type: 'string' },
      'python-workers': { type: 'string', default: '4' },
      backend: { type: 'string', default: 'wasm' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const { config: base, name } = loadConfig(values.config!);
  const over: Partial<RlConfig> = {};
  const set = <K extends keyof RlConfig>(k: K, v: RlConfig[K] | undefined) => v !== undefined && (over[k] = v);
  set('steps', optionalNumber('steps', values.steps, { int: true }));
  set('seed', optionalNumber('seed', values.seed, { int: true }));
  set('toolRewardCoef', optionalNumber('tool-reward', values['tool-reward']));
  set('toolFailureRate', optionalNumber('tool-failure', values['tool-failure']));
  set('groupSize', optionalNumber('group', values.group, { int: true, min: 2 }));
  set('promptsPerStep', optionalNumber('prompts', values.prompts, { int: true, min: 1 }));
  set('oversample', optionalNumber('oversample', values.oversample, { min: 1 }));
  set('maxTurns', optionalNumber('max-turns', values['max-turns'], { int: true, min: 1 }));
  set('maxNewTokens', optionalNumber('max-new-tokens', values['max-new-tokens'], { int: true, min: 1 }));
  set('temperature', optionalNumber('temperature', values.temperature));
  set('klCoef', optionalNumber('kl', values.kl));
  set('taskPool', optionalNumber('task-pool', values['task-pool'], { int: true }));
  if (values['std-norm']) over.stdNormalize = true;
  if (values['no-std-rank']) over.rankByStd = false;
  const lr = optionalNumber('lr', values.lr);
  const config = validateRlConfig({
    ...base,
    ...over,
    filter: { ...base.filter, ...(values['require-image'] ? { requireImageObservation: true } : {}) },
    optim: { ...base.optim, ...(lr !== undefined ? { lr } : {}) },
  });
  const workers = optionalNumber('python-workers', values['python-workers'], { int: true, min: 1 })!;

  const init = path.resolve(values.init!);
  if (!fs.existsSync(path.join(init, 'model.json'))) throw new Error(`--init: no model.json in ${init} (train one with npm run train:sft)`);
  const backend = await selectBackend({ force: values.backend as BackendName });
  const { model, meta } = await loadModel(nodeFileHandler(init));
  const tokJson = meta.tokenizer ?? JSON.parse(fs.readFileSync(path.join(init, 'tokenizer.json'), 'utf8'));
  const tokenizer = Tokenizer.fromJSON(tokJson);
  const out = path.resolve(values.out ?? path.join('runs', `${name}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`));
  const resuming = fs.existsSync(path.join(out, 'checkpoints/latest.json'));
  console.error(`${resuming ? 'resuming' : 'run'} ${out}: ${config.promptsPerStep} prompts × ${config.groupSize} rollouts per step, ${config.steps} steps, tool reward ${config.toolRewardCoef}, backend ${backend.name}, model ${meta.name ?? init}`);

  const runtime = await createNodeRuntime({ poolSize: workers, maxWorkers: workers, packages: 'compat' });
  const controller = new AbortController();
  const onSignal = () => {
    console.error('stopping after the current step is abandoned…');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  const t0 = Date.now();
  try {
    await runtime.start();
    const summary = await trainGrpo(config, {
      model,
      tokenizer,
      runtime,
      store: nodeRunStore(out),
      signal: controller.signal,
      meta: { init, initName: meta.name ?? null, initHash: meta.contentHash, backend: backend.name },
      onStep: (r) => console.error(formatMetricsLine(r.metrics)),
    });
    console.log(JSON.stringify({ out, ...summary, wallSeconds: Number(((Date.now() - t0) / 1000).toFixed(1)) }, null, 2));
  } finally {
    process.off('SIGINT', onSignal);
    await runtime.dispose();
    model.dispose();
  }
  return 0;
}

runIfMain(import.meta.url, main, USAGE);
