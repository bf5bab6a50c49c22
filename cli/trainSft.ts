/**
 * `npm run train:sft -- [--preset default|test] [--tasks N] [--steps S] [--minutes M] [--seed s]
 *     [--out dir] [--data-dir dir] [--concurrency k] [--batch B] [--seq-len T] [--lr x]
 *     [--strategy toolkit|toolkit-check|search-then-crop|oracle-crop] [--skip p] [--slip p] [--backend wasm|cpu] [--augment k]
 *     [--upfront p] [--mix suite=w,…] [--token-shift n] [--copy-head on|off] [--copy-match n] [--init dir]
 *     [--real-photos N] [--real-videos M] [--media-dir dir]`
 *
 * Headless supervised cold start: generates (or loads from --data-dir, default .cache/sft) N
 * scripted-expert trajectories through the real Node Python runtime, trains the tokenizer and
 * the TinyVLM on them, and writes into --out (default public/models/tiny): model.json +
 * weights.bin (TF.js format, via saveModel), tokenizer.json and card.json (data mix, seed,
 * steps, loss curve, final loss, content hash, wall time). Prints the card.
 *
 * --upfront p (default 0.3) shows a share p of the video tasks 8 frames up front (the
 * uniform-sampling baseline's prompt, see dataset.ts); 0 turns it off.
 *
 * --init dir fine-tunes the weights in dir (with their tokenizer) instead of training from
 * scratch; the card records which weights it started from. The collapse demo's start is made so.
 *
 * --augment k adds k counterfactual copies of every trajectory (src/model/sft/augment.ts: the
 * answer words renamed in the text, images kept), which is what teaches the model to copy.
 * --real-photos N / --real-videos M (defaults 1000 / 400): real-media trajectories
 * (src/model/sft/realData.ts) on the training media of data/training-media.json, fetched into
 * --media-dir (default .cache/media) by scripts/fetch-training-media.mjs on first use; 0 / 0
 * leaves them out.
 *
 * The defaults (800 'toolkit' expert trajectories on the generated suites + 1000 real-photo and
 * 400 real-video trajectories, each ×(1 + 3 counterfactual copies), seed 1, 3000 steps of 2×512
 * on WASM) are the shipped weights. From scratch that is ≈ 2.5–3 h on this 2-core machine
 * (data ≈ 1 h with the detector and OCR, training ≈ 1.5 h); cached data is reused. The step
 * budget, not the clock, ends the run, so the output is the same on any machine; --minutes is
 * only a safety cap (the card records what stopped the run).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../src/model/backend';
import { DEFAULT_SFT_BATCH, PRESETS, TEST_SFT_BATCH, cloneConfig, type PresetName } from '../src/model/config';
import { UPFRONT_FRAMES, buildSftDataset, defaultDataOptions, describeDataset, nodeDirStore } from '../src/model/sft/dataset';
import { trainSft } from '../src/model/sft/trainer';
import { Tokenizer } from '../src/model/tokenizer';
import type { TinyVLM } from '../src/model/transformer';
import { loadModel, nodeFileHandler, saveModel } from '../src/model/weights';
import { EXPERT_STRATEGIES, type ExpertStrategy } from '../src/policies/scriptedExpert';
import { parseMix } from '../src/tasks/suites';
import { createNodeRuntime } from '../workers/node/nodeRuntime';
import { runIfMain } from './runMain';
import { trainingMedia } from './trainingMedia';
import { buildRealSftDataset, type RealDataOptions } from '../src/model/sft/realData';
import { sharedNodePerception } from '../workers/perception/nodeService';

const countBy = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
import { numberOr } from './args';

const USAGE =
  'usage: npm run train:sft -- [--preset default|test] [--tasks N] [--steps S] [--minutes M] [--seed s] [--out dir] [--data-dir dir] [--concurrency k] [--batch B] [--seq-len T] [--lr x] [--strategy toolkit|toolkit-check|search-then-crop|oracle-crop] [--skip p] [--slip p] [--backend wasm|cpu] [--augment k] [--upfront p] [--mix suite=w,…] [--token-shift n] [--copy-head on|off] [--copy-match n] [--init dir] [--real-photos N] [--real-videos M] [--media-dir dir]';


export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string', default: 'default' },
      tasks: { type: 'string', default: '800' },
      steps: { type: 'string', default: '3000' },
      minutes: { type: 'string', default: '300' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'public/models/tiny' },
      'data-dir': { type: 'string', default: '.cache/sft' },
      concurrency: { type: 'string', default: '2' },
      batch: { type: 'string' },
      'seq-len': { type: 'string' },
      lr: { type: 'string' },
      strategy: { type: 'string', default: 'toolkit' },
      skip: { type: 'string' },
      slip: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      augment: { type: 'string', default: '3' },
      'token-shift': { type: 'string' },
      'copy-match': { type: 'string' },
      init: { type: 'string' },
      upfront: { type: 'string' },
      mix: { type: 'string' },
      'copy-head': { type: 'string' },
      'real-photos': { type: 'string' },
      'real-videos': { type: 'string' },
      'media-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const preset = values.preset as PresetName;
  if (!(preset in PRESETS)) throw new Error(`--preset must be one of ${Object.keys(PRESETS).join(', ')}`);
  const strategy = values.strategy as ExpertStrategy;
  if (!EXPERT_STRATEGIES.includes(strategy)) throw new Error(`--strategy must be one of ${EXPERT_STRATEGIES.join(', ')}`);
  const seed = numberOr('seed', values.seed, 1, { int: true });
  const tasks = numberOr('tasks', values.tasks, 800, { int: true, min: 1 });
  const steps = numberOr('steps', values.steps, 3000, { int: true, min: 1 });
  const minutes = numberOr('minutes', values.minutes, 300);
  const concurrency = numberOr('concurrency', values.concurrency, 2, { int: true, min: 1 });
  const model = cloneConfig(PRESETS[preset]);
  // Architecture ablations (config.ts): --token-shift n, --copy-head on|off, --copy-match n.
  if (values['token-shift'] !== undefined) model.tokenShift = numberOr('token-shift', values['token-shift'], 0, { int: true });
  if (values['copy-match'] !== undefined) model.copyMatch = numberOr('copy-match', values['copy-match'], 0, { int: true });
  if (values['copy-head'] !== undefined) {
    if (!['on', 'off'].includes(values['copy-head'])) throw new Error(`--copy-head must be on or off, got '${values['copy-head']}'`);
    model.copyHead = values['copy-head'] === 'on';
  }
  const shape = preset === 'test' ? TEST_SFT_BATCH : DEFAULT_SFT_BATCH;
  const batchSize = numberOr('batch', values.batch, shape.batchSize, { int: true, min: 1 });
  const seqLen = numberOr('seq-len', values['seq-len'], preset === 'test' ? model.maxSeq : shape.seqLen, { int: true, min: 8 });
  const backend = await selectBackend({ force: values.backend as BackendName });
  const t0 = Date.now();

  const base = defaultDataOptions();
  const upFrontShare = numberOr('upfront', values.upfront, base.videoUpFront?.share ?? 0);
  if (upFrontShare > 1) throw new Error(`--upfront must be a share in [0, 1], got ${upFrontShare}`);
  const dataOptions = defaultDataOptions({
    tasks,
    seed,
    videoUpFront: upFrontShare > 0 ? { share: upFrontShare, frames: UPFRONT_FRAMES } : undefined,
    ...(values.mix ? { mix: parseMix(values.mix) } : {}),
    imageSide: model.visual.imageSide,
    expert: { ...base.expert, strategy, skipToolsProb: numberOr('skip', values.skip, base.expert.skipToolsProb), slipProb: numberOr('slip', values.slip, base.expert.slipProb) },
  });
  const realOptions: RealDataOptions = {
    photoTasks: numberOr('real-photos', values['real-photos'], 1000, { int: true }),
    videoTasks: numberOr('real-videos', values['real-videos'], 400, { int: true }),
    seed,
    imageSide: model.visual.imageSide,
    loop: dataOptions.loop,
    // Real media have no answer to guess from the global view: the expert always uses the tools.
    expert: { ...dataOptions.expert, skipToolsProb: 0, guessProb: 0 },
  };
  const runtime = await createNodeRuntime({ poolSize: concurrency, maxWorkers: concurrency, packages: 'compat' });
  const store = nodeDirStore(path.resolve(values['data-dir']!));
  const progress = (what: string) => (d: number, n: number) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${what} ${d}/${n} `);
  };
  let ds;
  let real;
  try {
    await runtime.start();
    ds = await buildSftDataset(dataOptions, { runtime, store, concurrency, onProgress: progress('data') });
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.error(`data: ${ds.records.length} generated-task records (${ds.dropped} dropped, ${ds.fromCache ? 'from cache' : 'generated'}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (realOptions.photoTasks + realOptions.videoTasks > 0) {
      const lib = trainingMedia(values['media-dir'] ? path.resolve(values['media-dir']) : undefined);
      real = await buildRealSftDataset(realOptions, lib, { runtime, perception: await sharedNodePerception(), store, concurrency, onProgress: progress('real media') });
      if (process.stderr.isTTY) process.stderr.write('\n');
      console.error(`data: ${real.records.length} real-media records of ${real.generated} (${real.fromCache ? 'from cache' : 'generated'})`);
    }
  } finally {
    await runtime.dispose();
  }
  const dataMs = Date.now() - t0;
  const records = [...ds.records, ...(real?.records ?? [])];

  const budgetMs = minutes * 60_000 - dataMs;
  // --init dir: fine-tune saved weights with their own tokenizer (the architecture flags and the
  // preset's config do not apply then; the data's image side must be the model's).
  const init = values.init ? await loadInit(path.resolve(values.init)) : null;
  if (init && init.model.config.visual.imageSide !== model.visual.imageSide) {
    throw new Error(`--init: the model sees ${init.model.config.visual.imageSide}-px images but the data was made at ${model.visual.imageSide} px (pick the matching --preset)`);
  }
  const result = await trainSft(
    records,
    { model, batchSize, seqLen, steps, timeBudgetMs: Math.max(0, budgetMs), seed, copyAugment: numberOr('augment', values.augment, 3, { int: true }), optim: values.lr ? { lr: numberOr('lr', values.lr, 3e-3) } : {}, logEvery: Math.max(1, Math.min(50, Math.floor(steps / 20))) },
    { ...(init ? { init: init.model, tokenizer: init.tokenizer } : {}), onLog: (e) => console.error(`step ${e.step}: loss ${e.loss.toFixed(4)} lr ${e.lr.toExponential(2)} |g| ${e.gradNorm.toFixed(2)} ${(e.elapsedMs / 1000).toFixed(0)} s`) },
  );
  const out = path.resolve(values.out!);
  const card = {
    name: init ? `${init.name}-ft-seed${seed}` : `tiny-vlm-${preset}-sft-seed${seed}`,
    preset,
    ...(init ? { init: { dir: values.init, name: init.name, contentHash: init.contentHash } } : {}),
    backend: backend.name,
    seed,
    data: { ...describeDataset(ds), ...(real ? { real: { key: real.key, contentHash: real.contentHash, options: { ...realOptions, loop: undefined }, generated: real.generated, records: real.records.length, bySuite: countBy(real.records.map((r) => r.suite)), meanToolCalls: real.records.reduce((a, r) => a + r.toolCalls, 0) / Math.max(1, real.records.length), media: 'data/training-media.json (Debian bookworm packages) + 160 rendered signs' } } : {}) },
    training: {
      stepsRequested: steps,
      steps: result.steps,
      stoppedBy: result.stoppedBy,
      batchSize,
      seqLen,
      optim: values.lr ? { lr: Number(values.lr) } : 'DEFAULT_OPTIM',
      copyAugment: numberOr('augment', values.augment, 3, { int: true }),
      examples: result.examples,
      unusableExamples: result.unusableExamples,
      truncatedExamples: result.truncatedExamples,
      lossShare: Number(result.lossShare.toFixed(4)),
      finalLoss: result.finalLoss,
      lossCurve: result.log.map((e) => ({ step: e.step, loss: Number(e.loss.toFixed(4)) })),
      trainWallSeconds: Number((result.wallMs / 1000).toFixed(1)),
    },
    wallSeconds: 0,
    contentHash: '',
  };
  await saveModel(result.model, nodeFileHandler(out), { name: card.name, tokenizer: result.tokenizer.toJSON(), extra: { card: { ...card.training, data: card.data } } });
  const modelJson = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')) as { userDefinedMetadata: { contentHash: string } };
  card.contentHash = modelJson.userDefinedMetadata.contentHash;
  card.wallSeconds = Number(((Date.now() - t0) / 1000).toFixed(1));
  fs.writeFileSync(path.join(out, 'tokenizer.json'), JSON.stringify(result.tokenizer.toJSON()) + '\n');
  fs.writeFileSync(path.join(out, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  result.model.dispose();
  console.log(JSON.stringify({ out, ...card, training: { ...card.training, lossCurve: undefined } }, null, 2));
  return 0;
}

runIfMain(import.meta.url, main, USAGE);

/** Saved weights and their tokenizer, for --init. */
async function loadInit(dir: string): Promise<{ model: TinyVLM; tokenizer: Tokenizer; name: string; contentHash: string }> {
  const { model, meta } = await loadModel(nodeFileHandler(dir));
  if (!meta.tokenizer) throw new Error(`--init: ${dir} has no tokenizer in its model.json`);
  return { model, tokenizer: Tokenizer.fromJSON(meta.tokenizer), name: meta.name ?? path.basename(dir), contentHash: meta.contentHash };
}
