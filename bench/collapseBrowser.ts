/**
 * `npm run bench:collapse -- [--steps N] [--backend wasm|webgpu|webgl|cpu]`
 *
 * The collapse demo's speed as a class sees it: a production build in headless Chromium, a fresh
 * page, one click on "Start the collapse demo" (its start weights, the `collapse` preset, both
 * arms), then the wall time until N steps are on the live charts. Prints one JSON object:
 *
 * - firstStepSeconds: from the click to the first step on the charts (loading the start weights,
 *   TF.js and Python, and step 1);
 * - secondsPerStep: wall seconds per further step of the demo, both arms (the charts count a
 *   step once both arms have it: they step together, handler.ts);
 * - projectedSeconds: what the preset's whole run would take at that pace (firstStepSeconds +
 *   (steps − 1) × secondsPerStep), against issue 13's 5 minutes;
 * - machine: cores and the load average before and after (this machine is shared).
 *
 * Measured on 2026-12-08 (2-core machine, WASM): 8.0 s per step over 6 steps (first step 19.5 s,
 * projected 491 s for the preset's 60), and 9.2 / 9.5 s over 8 / 10 steps with the same clicks by
 * hand-run script; at 5fee543 (arms stepped one after the other, 512–2,048 px glance canvases)
 * 16.2 / 15.2 s per step over 8 / 6 steps.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { runIfMain } from '../cli/runMain';
import { collapseDemoBase } from '../src/rl/collapseDemo';
import { CHROMIUM_ARGS, ensureBuild, freePort, startPreview } from './appServer';

const USAGE = 'usage: npm run bench:collapse -- [--steps N] [--backend wasm|webgpu|webgl|cpu]';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { steps: { type: 'string', default: '8' }, backend: { type: 'string', default: 'wasm' } } });
  const steps = Number(values.steps);
  if (!Number.isInteger(steps) || steps < 2) throw new Error('--steps must be an integer ≥ 2');
  if (!['wasm', 'webgpu', 'webgl', 'cpu'].includes(values.backend!)) throw new Error('--backend must be wasm, webgpu, webgl or cpu');
  const log = (s: string) => console.error(`bench:collapse: ${s}`);
  const build = ensureBuild(log);
  const server = await startPreview(await freePort());
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const loadBefore = os.loadavg()[0]!;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}?backend=${values.backend}#rl`);
    const t0 = Date.now();
    await page.getByTestId('rl-collapse-start').click();
    const points = async () => Number(await page.getByTestId('rl-collapse-accuracy').getAttribute('data-points'));
    const at: number[] = [];
    while (at.length < steps) {
      const n = await points();
      while (at.length < n) at.push(Date.now());
      if (Date.now() - t0 > 30 * 60_000) throw new Error(`only ${at.length} of ${steps} steps in 30 minutes`);
      const error = await page.getByTestId('rl-error').textContent({ timeout: 50 }).catch(() => null);
      if (error) throw new Error(`the demo stopped: ${error}`);
      await page.waitForTimeout(200);
    }
    await page.getByTestId('rl-stop').click();
    const firstStepSeconds = (at[0]! - t0) / 1000;
    const secondsPerStep = (at[at.length - 1]! - at[0]!) / 1000 / (at.length - 1);
    const presetSteps = collapseDemoBase().steps;
    console.log(
      JSON.stringify(
        {
          backend: values.backend,
          build,
          measuredSteps: at.length,
          firstStepSeconds: Number(firstStepSeconds.toFixed(1)),
          secondsPerStep: Number(secondsPerStep.toFixed(2)),
          presetSteps,
          projectedSeconds: Math.round(firstStepSeconds + (presetSteps - 1) * secondsPerStep),
          machine: { cores: os.cpus().length, load1Before: Number(loadBefore.toFixed(2)), load1After: Number(os.loadavg()[0]!.toFixed(2)) },
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    server.stop();
  }
  return 0;
}

runIfMain(import.meta.url, main, USAGE);
