/**
 * `npm run bench:gpu [-- --software] [--quick]`: the tiny policy on a real GPU, printed as JSON.
 *
 * Made for a Linux machine with an NVIDIA GPU and no display (issue 14): TF.js's WebGPU backend
 * runs in Node through the npm `webgpu` package (Dawn) on the GPU's Vulkan driver, beside TF.js
 * WASM in the same process and PyTorch on CUDA (bench/policy_torch.py, `device: "cuda"`) on the
 * same machine. Figures: SFT step ms at DEFAULT_SFT_BATCH, decode tokens/s at batch 1 and 64
 * (prompt prefilled first, not counted), achieved GFLOP/s, and the ratios; the target is an SFT
 * step ≥ 5× faster on WebGPU than on WASM.
 *
 * What the machine needs: Node 20 and this checkout with `npm ci` done (the `webgpu` package
 * carries Dawn's binary), the Vulkan loader `libvulkan.so.1` (Debian's libvulkan1; on a machine
 * without it, point LD_LIBRARY_PATH at a copy) and the NVIDIA Vulkan ICD (the driver's
 * nvidia_icd.json, usually in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d). PyTorch with CUDA
 * is optional: without it that column says why it is missing. The adapter must be hardware
 * (a software fallback is refused) unless `--software`, which runs the same thing on the
 * SwiftShader Vulkan driver that Debian's chromium ships: a smoke test of the bench on a CPU
 * machine, its figures not for reporting. `--quick`: small shapes, one repetition.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, DEFAULT_SFT_BATCH } from '../src/model/config';
import { dawnBinaryMissing, installNodeWebGpu } from '../src/model/webgpuNode';
import { measure, type BackendResult, type MeasureOptions } from './policyMeasure';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const USAGE = `npm run bench:gpu [-- --software] [--quick]
  (default)   WebGPU (Dawn on the GPU's Vulkan driver) vs WASM in Node, and PyTorch CUDA when
              present; refuses a software adapter.
  --software  the same on SwiftShader (Debian's chromium): a smoke test on a CPU machine.
  --quick     small shapes, one repetition (smoke test; figures not for reporting).`;
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = argv.filter((a) => a !== '--software' && a !== '--quick');
if (unknown.length) {
  console.error(`bench:gpu: unknown argument(s) ${unknown.join(' ')}\n${USAGE}`);
  process.exit(2);
}
const SOFTWARE = argv.includes('--software');
const QUICK = argv.includes('--quick');

const shapes = QUICK
  ? { sftSteps: 1, decodeBatches: [1, 8], promptLen: 16, newTokens: 8, budgetMs: 120_000 }
  : { sftSteps: 3, decodeBatches: [1, 64], promptLen: 128, newTokens: 64, budgetMs: 120_000 };

/** The GPU as nvidia-smi names it (null without one). */
function nvidiaSmi(): string | null {
  const r = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Vulkan ICD files present (what Dawn can open). */
function vulkanIcds(): string[] {
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];
  const out: string[] = [];
  for (const d of dirs) {
    const r = spawnSync('ls', [d], { encoding: 'utf8' });
    if (r.status === 0) out.push(...r.stdout.split('\n').filter(Boolean).map((f) => `${d}/${f}`));
  }
  return out;
}

function torchCuda(): Record<string, unknown> {
  if (spawnSync('python3', ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return { error: 'no PyTorch for python3 on this machine' };
  const args = {
    config: DEFAULT_CONFIG,
    sft: DEFAULT_SFT_BATCH,
    decode: { batches: shapes.decodeBatches, promptLen: shapes.promptLen, newTokens: shapes.newTokens },
    steps: shapes.sftSteps,
    device: 'cuda',
  };
  try {
    const out = execFileSync('python3', [path.join(HERE, 'policy_torch.py'), JSON.stringify(args)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  } catch (err) {
    return { error: String(err instanceof Error ? err.message : err).split('\n')[0] };
  }
}

const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Math.round((a / b) * 100) / 100 : null);

async function main() {
  const started = Date.now();
  const env = { nvidiaSmi: nvidiaSmi(), vulkanIcds: vulkanIcds(), libvulkan: existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1') || !!process.env.LD_LIBRARY_PATH, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100) };
  const missing = await dawnBinaryMissing();
  let adapter: { adapter: string; fallback: boolean } | null = null;
  let gpu: BackendResult;
  if (missing) gpu = { backend: 'node-webgpu', error: missing };
  else {
    try {
      adapter = await installNodeWebGpu({ software: SOFTWARE });
      if (adapter.fallback && !SOFTWARE) throw new Error(`Dawn found only a software adapter (${adapter.adapter}): no GPU Vulkan driver (ICDs: ${env.vulkanIcds.join(', ') || 'none'}); --software runs the smoke test`);
      const opts: MeasureOptions = { backend: 'webgpu', ...shapes };
      gpu = { ...(await measure(opts)), backend: 'node-webgpu' };
    } catch (err) {
      gpu = { backend: 'node-webgpu', error: String(err instanceof Error ? err.message : err) };
    }
  }
  const wasm = { ...(await measure({ backend: 'wasm', ...shapes, ceiling: !QUICK })), backend: 'node-wasm' };
  const torch = SOFTWARE ? { skipped: '--software (no GPU to run CUDA on)' } : torchCuda();
  const t = torch as { sftStepMs?: number; decodeTokensPerSec?: Record<string, number> };
  const b = shapes.decodeBatches.map(String);
  console.log(
    JSON.stringify(
      {
        preset: QUICK || SOFTWARE ? `smoke run (${[SOFTWARE && 'software adapter', QUICK && 'quick shapes'].filter(Boolean).join(', ')}): figures not for reporting` : 'default',
        config: DEFAULT_CONFIG,
        sftBatch: DEFAULT_SFT_BATCH,
        decode: { promptLen: shapes.promptLen, newTokens: shapes.newTokens, batches: shapes.decodeBatches },
        machine: env,
        adapter,
        results: [gpu, wasm],
        pytorchCuda: torch,
        ratios: {
          sftSpeedupWebgpuVsWasm: ratio(wasm.sftStepMs, gpu.sftStepMs),
          decodeWebgpuVsWasm: Object.fromEntries(b.map((k) => [k, ratio(gpu.decodeTokensPerSec?.[k], wasm.decodeTokensPerSec?.[k])])),
          sftStepWebgpuVsTorchCuda: ratio(gpu.sftStepMs, t.sftStepMs),
          decodeWebgpuVsTorchCuda: Object.fromEntries(b.map((k) => [k, ratio(gpu.decodeTokensPerSec?.[k], t.decodeTokensPerSec?.[k])])),
        },
        target: { webgpuSftAtLeast5xWasm: gpu.sftStepMs && wasm.sftStepMs ? wasm.sftStepMs / gpu.sftStepMs >= 5 : null },
        wallSeconds: Math.round((Date.now() - started) / 1000),
      },
      null,
      2,
    ),
  );
  process.exit(0); // Dawn's instance keeps the event loop alive
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
