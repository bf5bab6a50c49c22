/**
 * `npm run eval -- --policy scripted|baseline|tiny --suite <name> --n <count> --seed <s>
 *     [--concurrency k] [--turns t] [--error-mode end|feed-back]
 *     [--skip p] [--slip p] [--guess p] [--strategy oracle-crop|search-then-crop|toolkit|toolkit-check]
 *     [--weights dir] [--temperature t] [--frames k] [--backend wasm|cpu] [--items file.jsonl]
 *     [--trajectories file.jsonl]`
 *
 * Runs trajectories of a task suite through the real agent loop and the Node Python runtime
 * (the offline compat packages, as the browser uses by default) and prints one JSON summary:
 * accuracy, mean tool calls, mean turns, end-reason counts, visual tokens per sample and the
 * same per difficulty bucket. The loop budget is TRAINING_LOOP's unless --turns is given; the real
 * suites feed Python errors back as the app does (--error-mode overrides).
 * --items writes one line per task (id, bucket, answer, expected, tools, end reason);
 * --trajectories one whole trajectory record per task (turns, code, output; images counted only).
 * --policy tiny loads the TinyVLM weights in --weights (default public/models/tiny, what
 * `npm run train:sft` writes) and decodes at --temperature (default 0: greedy). --frames k
 * shows k evenly spaced frames of a video in the first message (the uniform-sampling baseline).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { INTERACTIVE_LOOP, TRAINING_LOOP, type ErrorMode, type LoopConfig, type Policy } from '../src/agent/types';
import { evaluate } from '../src/policies/evaluate';
import { createGlobalViewBaseline } from '../src/policies/globalViewBaseline';
import { EXPERT_STRATEGIES, createScriptedExpert, type ExpertStrategy } from '../src/policies/scriptedExpert';
import { SUITES, SUITE_NAMES, isSuiteName, suiteTask, type SuiteName } from '../src/tasks/suites';
import { realQuestions, realTask } from './realSuite';
import { createNodeRuntime } from '../workers/node/nodeRuntime';
import { runIfMain } from './runMain';
import { selectBackend, type BackendName } from '../src/model/backend';
import { TinyPolicy } from '../src/model/tinyPolicy';
import { Tokenizer } from '../src/model/tokenizer';
import { loadModel, nodeFileHandler } from '../src/model/weights';
import { numberOr } from './args';

/** The real-media evaluation set (eval/real/), whole or by media. */
const REAL_SUITES = ['real', 'real-photo', 'real-video'];

const USAGE = `usage: npm run eval -- --policy scripted|baseline|tiny --suite <${[...SUITE_NAMES, ...REAL_SUITES].join('|')}> --n <count> --seed <s> [--concurrency k] [--turns t] [--error-mode end|feed-back] [--skip p] [--slip p] [--guess p] [--strategy ${EXPERT_STRATEGIES.join('|')}] [--weights dir] [--temperature t] [--frames k] [--backend wasm|cpu] [--items file.jsonl] [--trajectories file.jsonl]`;


function strategyOf(v: string | undefined): ExpertStrategy {
  if (v === undefined) return 'oracle-crop';
  if (!(EXPERT_STRATEGIES as readonly string[]).includes(v)) throw new Error(`--strategy must be one of ${EXPERT_STRATEGIES.join(', ')}, got '${v}'`);
  return v as ExpertStrategy;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      policy: { type: 'string', default: 'scripted' },
      suite: { type: 'string', default: 'visual-search' },
      n: { type: 'string' },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '2' },
      turns: { type: 'string' },
      'error-mode': { type: 'string' },
      skip: { type: 'string' },
      slip: { type: 'string' },
      guess: { type: 'string' },
      strategy: { type: 'string' },
      items: { type: 'string' },
      trajectories: { type: 'string' },
      weights: { type: 'string', default: 'public/models/tiny' },
      temperature: { type: 'string', default: '0' },
      frames: { type: 'string', default: '0' },
      backend: { type: 'string', default: 'wasm' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const suite = values.suite!;
  const real = REAL_SUITES.includes(suite) ? realQuestions(suite === 'real' ? 'all' : suite === 'real-photo' ? 'photo' : 'video') : null;
  if (!real && !isSuiteName(suite)) throw new Error(`unknown suite '${suite}' (known: ${[...SUITE_NAMES, ...REAL_SUITES].join(', ')})`);
  const n = real ? Math.min(real.length, numberOr('n', values.n, real.length, { int: true, min: 1 })) : numberOr('n', values.n, 20, { int: true, min: 1 });
  const seed = numberOr('seed', values.seed, 1, { int: true });
  const concurrency = numberOr('concurrency', values.concurrency, 2, { int: true, min: 1 });
  // The real-media suites measure what a person in the playground gets, so they default to the
  // app's error mode (a Python error is fed back and the policy may retry); generated suites keep
  // the training loop's (an error ends the episode), as RL sees them.
  const errorMode = (values['error-mode'] ?? (real ? INTERACTIVE_LOOP.errorMode : TRAINING_LOOP.errorMode)) as ErrorMode;
  if (errorMode !== 'end' && errorMode !== 'feed-back') throw new Error(`--error-mode must be end or feed-back, got '${errorMode}'`);
  const config: LoopConfig = { ...TRAINING_LOOP, maxTurns: numberOr('turns', values.turns, TRAINING_LOOP.maxTurns, { int: true, min: 1 }), errorMode };

  let policy: Policy;
  let release = () => {};
  if (values.policy === 'tiny') {
    await selectBackend({ force: values.backend as BackendName });
    const dir = path.resolve(values.weights!);
    const { model, meta } = await loadModel(nodeFileHandler(dir));
    if (!meta.tokenizer) throw new Error(`${dir}/model.json carries no tokenizer`);
    const tiny = new TinyPolicy(model, Tokenizer.fromJSON(meta.tokenizer), { name: meta.name ?? 'tiny', temperature: numberOr('temperature', values.temperature, 0), seed, cacheSlots: 2 * concurrency });
    policy = tiny;
    release = () => {
      tiny.dispose();
      model.dispose();
    };
  } else if (values.policy === 'scripted') {
    policy = createScriptedExpert({
      seed,
      skipToolsProb: numberOr('skip', values.skip, 0),
      slipProb: numberOr('slip', values.slip, 0),
      guessProb: numberOr('guess', values.guess, 0),
      strategy: strategyOf(values.strategy),
    });
  } else if (values.policy === 'baseline') {
    policy = createGlobalViewBaseline({ seed });
  } else {
    throw new Error(`--policy must be scripted, baseline or tiny, got '${values.policy}'`);
  }

  const runtime = await createNodeRuntime({ poolSize: concurrency, maxWorkers: concurrency, packages: 'compat' });
  const itemsFile = values.items ? fs.openSync(path.resolve(values.items), 'w') : null;
  const trajFile = values.trajectories ? fs.openSync(path.resolve(values.trajectories), 'w') : null;
  try {
    await runtime.start();
    const { summary } = await evaluate({
      policy,
      runtime,
      config,
      n,
      concurrency,
      upFrontFrames: numberOr('frames', values.frames, 0, { int: true }),
      makeTask: (i) => (real ? realTask(real[i]!) : suiteTask(suite as SuiteName, i, seed)),
      onItem: (item, traj, done) => {
        if (itemsFile !== null) fs.writeSync(itemsFile, JSON.stringify(item) + '\n');
        // Images are left out (they are the task's and the tools'): the text is what one reads.
        if (trajFile !== null) fs.writeSync(trajFile, JSON.stringify({ ...traj, images: traj.images.length }) + '\n');
        if (process.stderr.isTTY) process.stderr.write(`\r${done}/${n} `);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const description = real ? 'real photographs and clips with checked answers (eval/real/)' : SUITES[suite as SuiteName].description;
    const out = { policy: { kind: policy.kind, name: policy.name }, suite, suiteDescription: description, seed, config, upFrontFrames: numberOr('frames', values.frames, 0, { int: true }), ...summary };
    console.log(JSON.stringify(out, null, 2));
    return 0;
  } finally {
    if (itemsFile !== null) fs.closeSync(itemsFile);
    if (trajFile !== null) fs.closeSync(trajFile);
    await runtime.dispose();
    release();
  }
}

runIfMain(import.meta.url, main, USAGE);
