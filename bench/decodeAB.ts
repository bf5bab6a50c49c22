/**
 * `npx tsx bench/decodeAB.ts [runs] [batches]`: decode tokens/s of the policy's kernels (the
 * fused decode step, src/model/decodeStep.ts) against the composed ops, alternating A B A B in
 * one process on Node WASM so that the machine's drifting load hits both alike. Same setting as
 * `npm run bench:policy`: a random default-size model, a 128-token prompt prefilled (not
 * counted), then 64 new tokens sampled at temperature 1. Prints per-run figures, the medians and
 * the load average at the start and the end, as JSON. Defaults: 8 runs, batches 1,64.
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { selectBackend } from '../src/model/backend';
import { DEFAULT_CONFIG } from '../src/model/config';
import { DecodeContext } from '../src/model/generate';
import { registerPolicyKernels, unregisterPolicyKernels } from '../src/model/kernels';
import { trainTokenizer } from '../src/model/tokenizer';
import { TinyVLM } from '../src/model/transformer';

const runs = Number(process.argv[2] ?? 8);
const batches = (process.argv[3] ?? '1,64').split(',').map(Number);
const PROMPT_LEN = 128;
const NEW_TOKENS = 64;
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function tokensPerSec(model: TinyVLM, B: number): Promise<number> {
  const tok = trainTokenizer(['the policy writes code and answers'], { vocabSize: 300 });
  const ctx = new DecodeContext(model, tok, B);
  try {
    const prompt = Array.from({ length: PROMPT_LEN }, (_, i) => 1 + ((i * 7) % 250));
    await ctx.prefill(Array.from({ length: B }, () => ({ ids: prompt })));
    await ctx.generate({ maxNewTokens: 2, stop: [], seed: 1 }); // warm the kernels
    const t0 = performance.now();
    const rows = await ctx.generate({ maxNewTokens: NEW_TOKENS, stop: [], seed: 2, temperature: 1 });
    const ms = performance.now() - t0;
    return (rows.reduce((s, r) => s + r.ids.length, 0) / ms) * 1000;
  } finally {
    ctx.dispose();
  }
}

async function main() {
  const loadAtStart = load();
  await selectBackend({ force: 'wasm' });
  const model = TinyVLM.create(DEFAULT_CONFIG, 0);
  const figures: Record<string, { kernels: number[]; composed: number[] }> = {};
  for (const B of batches) figures[B] = { kernels: [], composed: [] };
  for (let r = 0; r < runs; r++) {
    for (const B of batches) {
      // Alternate which goes first, so neither always runs right after the other's warm-up.
      for (const arm of r % 2 ? (['composed', 'kernels'] as const) : (['kernels', 'composed'] as const)) {
        if (arm === 'composed') unregisterPolicyKernels();
        figures[B]![arm].push(Math.round(await tokensPerSec(model, B)));
        registerPolicyKernels();
      }
    }
  }
  model.dispose();
  const medians = Object.fromEntries(
    Object.entries(figures).map(([B, f]) => [B, { kernels: median(f.kernels), composed: median(f.composed), speedup: Math.round((median(f.kernels) / median(f.composed)) * 100) / 100 }]),
  );
  console.log(JSON.stringify({ backend: tf.getBackend(), runs, promptLen: PROMPT_LEN, newTokens: NEW_TOKENS, loadAverage: { start: loadAtStart, end: load() }, medians, figures }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
