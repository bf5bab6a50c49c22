/**
 * `npm run bench:python`: the Python runtime's costs, printed as JSON.
 * Node implementation (confined child process, real Pyodide); native CPython with Pillow
 * runs the same crop in the same run for comparison.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Pixels } from '../src/runtime/types';
import { createNodeRuntime } from '../workers/node/nodeRuntime';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function noise(side: number): Pixels {
  const data = new Uint8Array(side * side * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return { width: side, height: side, channels: 3, data };
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

const CROP = 'c = image_clue_0.crop((256, 256, 768, 768))\nplt.imshow(c)\nplt.axis("off")\nplt.show()';

async function main() {
  const [bundleMs, runtime] = await time(() => createNodeRuntime({ poolSize: 2 }));
  const [coldStartMs] = await time(() => runtime.start());
  const status = runtime.status();

  const acquire: number[] = [];
  for (let i = 0; i < 7; i++) {
    // Let the pool bring its spare back up before each measured acquire.
    while (runtime.status().workers.ready < 2) await new Promise((r) => setTimeout(r, 50));
    const [ms, s] = await time(() => runtime.openSession());
    acquire.push(ms);
    await s.close();
  }

  const session = await runtime.openSession();
  await session.run('pass');
  const empty: number[] = [];
  for (let i = 0; i < 50; i++) empty.push((await time(() => session.run('pass')))[0]);
  await session.close();

  const bind: Record<string, number> = {};
  let roundTrip = 0;
  for (const side of [1024, 4096]) {
    const img = noise(side);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [ms, s] = await time(() => runtime.openSession({ images: [img] }));
      times.push(ms);
      if (side === 1024 && i === 2) {
        await s.run('import matplotlib.pyplot as plt\n' + CROP);
        const trips: number[] = [];
        for (let k = 0; k < 10; k++) trips.push((await time(() => s.run(CROP)))[0]);
        roundTrip = median(trips);
      }
      await s.close();
    }
    bind[`bind_${side}x${side}_ms`] = median(times);
  }
  await runtime.dispose();

  let native: number | string;
  try {
    // Debian's python3 (with python3-pil) rather than whatever python3 is first on PATH.
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    native = Number(
      execFileSync(python, ['-c', [
        'import time, os, io', 'from PIL import Image',
        'im = Image.frombytes("RGB", (1024, 1024), os.urandom(1024 * 1024 * 3))', 'ts = []',
        'for _ in range(10):', '    t = time.perf_counter()', '    c = im.crop((256, 256, 768, 768)); b = c.tobytes()',
        '    ts.append((time.perf_counter() - t) * 1000)', 'print(sorted(ts)[5])',
      ].join('\n')], { stdio: ['ignore', 'pipe', 'ignore'] }).toString(),
    );
  } catch {
    native = 'python3 with Pillow not available (apt-get install -y python3-pil)';
  }

  console.log(JSON.stringify({
    implementation: 'node (confined child process, Pyodide ' + (status.detail.match(/·\s*(.*)$/)?.[1] ?? '') + ')',
    child_bundle_build_ms: Math.round(bundleMs),
    cold_start_ms: Math.round(coldStartMs),
    warm_acquire_ms_median: +median(acquire).toFixed(2),
    empty_call_overhead_ms_median: +median(empty).toFixed(2),
    ...Object.fromEntries(Object.entries(bind).map(([k, v]) => [k, +v.toFixed(1)])),
    crop_and_show_round_trip_ms_median: +roundTrip.toFixed(2),
    native_cpython_pillow_crop_ms_median: typeof native === 'number' ? +native.toFixed(3) : native,
    targets: { empty_call_overhead_ms: 5, warm_acquire_ms: 50, cold_start_ms: 3000 },
  }, null, 2));
}

void main();
