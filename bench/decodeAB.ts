/**
 * `npx tsx bench/decodeAB.ts [runs] [batches]`: decode tokens/s of the policy's kernels (the
 * fused decode step, src/model/decodeStep.ts) against the composed ops, alternating A B A B in
 * one process on Node WASM so that the machine's drifting load hits both alike. Same setting as
 * `npm run bench:policy`: a random default-size model, a 128-token prompt prefilled (not
 * counted), then 64 new tokens sampled at temperature 1. Prints per-run figures, the medians and
 * the load average at the start and the end, as JSON. Defaults: 8 runs, batches 1,64.
 * Each figure is tokens per wall-clock second; `perCpuSecond` divides by the process's CPU time
 * instead (user + system), which a machine shared with other jobs disturbs less.
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

async function tokensPerSec(model: TinyVLM, B: number): Promise<[number, number]> {
  const tok = trainTokenizer(['the policy writes code and answers'], { vocabSize: 300 });
  const ctx = new DecodeContext(model, tok, B);
  try {
    const prompt = Array.from({ length: PROMPT_LEN }, (_, i) => 1 + ((i * 7) % 250));
    await ctx.prefill(Array.from({ length: B }, () => ({ ids: prompt })));
    await ctx.generate({ maxNewTokens: 2, stop: [], seed: 1 }); // warm the kernels
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const rows = await ctx.generate({ maxNewTokens: NEW_TOKENS, stop: [], seed: 2, temperature: 1 });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const n = rows.reduce((s, r) => s + r.ids.length, 0);
    return [(n / ms) * 1000, (n / (cpu.user + cpu.system)) * 1e6];
  } finally {
    ctx.dispose();
  }
}

async function main() {
  const loadAtStart = load();
  await selectBackend({ force: 'wasm' });
  const model = TinyVLM.create(DEFAULT_CONFIG, 0);
  const figures: Record<string, { kernels: number[]; composed: number[] }> = {};
  const perCpu: Record<string, { kernels: number[]; composed: number[] }> = {};
  for (const B of batches) {
    figures[B] = { kernels: [], composed: [] };
    perCpu[B] = { kernels: [], composed: [] };
  }
  // One uncounted round first: JIT, XNNPACK's weight packing and the folded weights warm up.
  for (const B of batches) {
    await tokensPerSec(model, B);
    unregisterPolicyKernels();
    await tokensPerSec(model, B);
    registerPolicyKernels();
  }
  for (let r = 0; r < runs; r++) {
    for (const B of batches) {
      // Alternate which goes first, so neither always runs right after the other's warm-up.
      for (const arm of r % 2 ? (['composed', 'kernels'] as const) : (['kernels', 'composed'] as const)) {
        if (arm === 'composed') unregisterPolicyKernels();
        const [wall, cpu] = await tokensPerSec(model, B);
        figures[B]![arm].push(Math.round(wall));
        perCpu[B]![arm].push(Math.round(cpu));
        registerPolicyKernels();
      }
    }
  }
  model.dispose();
  const summary = (all: typeof figures) =>
    Object.fromEntries(
      Object.entries(all).map(([B, f]) => [B, { kernels: median(f.kernels), composed: median(f.composed), speedup: Math.round((median(f.kernels) / median(f.composed)) * 100) / 100 }]),
    );
  const out = { backend: tf.getBackend(), runs, promptLen: PROMPT_LEN, newTokens: NEW_TOKENS, loadAverage: { start: loadAtStart, end: load() } };
  console.log(JSON.stringify({ ...out, medians: summary(figures), medianPerCpuSecond: summary(perCpu), figures, perCpuSecond: perCpu }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
