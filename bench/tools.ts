/**
 * `npm run bench:tools`: how fast the vision tools and the whole agent are, as one JSON object.
 *
 * - detector: ms per photo, whole view and with the 2×2 closer look, in Node (the perception
 *   worker thread, TF.js WASM, one thread) on the sample photos and 10 evaluation photos; and in
 *   Chromium (the page's perception worker, WASM), timed around `detect()` called from Python in
 *   the Python console (so it includes the hand-over from Python, like a real tool call); a
 *   repeat on the same photo is an answer-cache hit, reported as cachedRepeatMs.
 * - ocr: ms per image in Node (Tesseract, enlarged grey image) on the sign sample and fixtures.
 * - scan_video on the 40 s clip in the playground (Chromium, WebCodecs, the page's detector),
 *   run by the scripted planner: seconds inside the 30 s per-call limit, and what it printed.
 * - video: bench/videoDecode.ts's numbers (Chromium, 40 s 25 fps 720p H.264 clip: WebCodecs vs
 *   the `<video>`-seek fallback), run as a child (BENCH_ROUNDS=1).
 * - ask: seconds to answer (`npm run ask` with the shipped tiny policy) on the sample photos,
 *   median and each, plus the peak RSS of those processes (GNU time).
 * - peak RSS of this process (perception thread included).
 * Each number comes with its median; the first call of a model (loading) is reported apart.
 * Env: BENCH_SKIP=browser,video,ask (comma list) to leave parts out.
 */
import { chromium } from '@playwright/test';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readImageFile } from '../cli/imageFile';
import type { Pixels } from '../src/runtime/types';
import { MEDIA_SAMPLES } from '../app/samples';
import { createNodePerception } from '../workers/perception/nodeService';
import { CHROMIUM_ARGS, ensureBuild, freePort, startPreview } from './appServer';
import { makeClip } from './benchClip';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const log = (s: string) => process.stderr.write(`[bench:tools] ${s}\n`);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const photos = MEDIA_SAMPLES.filter((s) => s.kind === 'image').map((s) => path.join(ROOT, 'public/samples', s.file));
const evalPhotos = ['cow.jpg', 'giraffe.jpg', 'horse.jpg', 'duck.jpg', 'cup.jpg', 'chair.jpg', 'spoons.jpg', 'bike-3x4.jpg', 'heli-4x3.jpg', 'wine-by-jakkub-mede.jpg'].map((f) => path.join(ROOT, 'eval/real/photos', f));

/** A copy with one byte changed: the service's answer cache must not serve it. */
function fresh(img: Pixels): Pixels {
  const copy = { ...img, data: img.data.slice() };
  copy.data[0] = (copy.data[0]! + 1) % 256;
  return copy;
}

async function nodeTools() {
  const service = await createNodePerception();
  try {
    const images = [...photos, ...evalPhotos].map(readImageFile);
    let t = performance.now();
    await service.detect(images[0]!);
    const firstMs = performance.now() - t;
    const whole: number[] = [];
    const closer: number[] = [];
    for (const img of images) {
      const copy = fresh(img);
      t = performance.now();
      await service.detect(copy);
      whole.push(performance.now() - t);
      t = performance.now();
      await service.detect(copy, { tiles: true });
      closer.push(performance.now() - t);
    }
    const texts = [path.join(ROOT, 'public/samples/museum-sign.jpg'), path.join(ROOT, 'e2e/fixtures/text-sign.png'), path.join(ROOT, 'eval/real/photos/heli-4x3.jpg')].map(readImageFile);
    t = performance.now();
    await service.readText(texts[0]!);
    const ocrFirstMs = performance.now() - t;
    const ocr: number[] = [];
    for (const img of texts) {
      t = performance.now();
      await service.readText(fresh(img));
      ocr.push(performance.now() - t);
    }
    return {
      detector: { images: images.length, firstCallMs: round(firstMs), wholeViewMs: round(median(whole)), closerLookMs: round(median(closer)), wholeViewEachMs: whole.map((x) => round(x)) },
      ocr: { images: texts.length, firstCallMs: round(ocrFirstMs), ms: round(median(ocr)), eachMs: ocr.map((x) => round(x)) },
    };
  } finally {
    await service.dispose();
  }
}

/** detect() called from Python in the page's console, timed in Python. */
async function browserDetector() {
  const build = ensureBuild(log);
  const server = await startPreview(await freePort());
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}#console`);
    await page.getByTestId('runtime-status').and(page.locator('[data-phase="ready"]')).waitFor({ timeout: 120_000 });
    const runs: Record<string, number[]> = {};
    for (const file of photos.slice(0, 4)) {
      await page.getByTestId('image-input').setInputFiles(file);
      await page.getByTestId('image-name').and(page.locator(`:text-is("${path.basename(file)}")`)).waitFor();
      const code = 'import time\nfor tiles in (False, False, True):\n    t = time.time()\n    _ = __import__("pv_vision").detections(image_clue_0, tiles=tiles)\n    print("ms", tiles, round((time.time() - t) * 1000))';
      const editor = page.locator('[data-testid="code-editor"] .cm-content');
      await editor.click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(code);
      const before = await page.getByTestId('run-result').count();
      await page.getByTestId('run-button').click();
      const result = page.getByTestId('run-result').nth(before);
      await result.and(page.locator('[data-status="ok"], [data-status="error"]')).waitFor({ timeout: 180_000 });
      const out = await result.getByTestId('run-output').innerText();
      for (const m of out.matchAll(/ms (True|False) (\d+)/g)) (runs[m[1]!] ??= []).push(Number(m[2]));
    }
    const whole = runs.False ?? [];
    const scan = await browserScan(page, server.url);
    // Per photo: the first whole-view call runs the detector; the repeat is served by the
    // perception service's answer cache (same pixels), so it is reported apart, not as speed.
    const firstPerPhoto = whole.filter((_, i) => i % 2 === 0);
    return {
      build,
      firstCallMs: whole[0] ?? null,
      wholeViewMs: median(firstPerPhoto.slice(1)),
      cachedRepeatMs: median(whole.filter((_, i) => i % 2 === 1)),
      closerLookMs: median(runs.True ?? []),
      samples: runs,
      scanVideo40s: scan,
    };
  } finally {
    await browser.close();
    server.stop();
  }
}

/**
 * scan_video on the 40 s 25 fps 720p clip in the playground (WebCodecs frames, the page's
 * detector), run by the scripted planner: the tool call's own time and what it printed.
 */
async function browserScan(page: import('@playwright/test').Page, url: string) {
  await page.goto(url);
  await page.getByTestId('runtime-status').and(page.locator('[data-phase="ready"]')).waitFor({ timeout: 120_000 });
  await page.getByTestId('media-input').setInputFiles(makeClip(log));
  await page.locator('[data-testid="video-meta"][data-decoder]').waitFor({ timeout: 120_000 });
  await page.getByTestId('question-input').fill('Which animal appears in the video?');
  await page.getByTestId('policy-select').selectOption('scripted');
  await page.getByTestId('run-agent').click();
  await page.locator('[data-testid="trajectory"]:not([data-end-reason=""])').waitFor({ timeout: 180_000 });
  const card = page.getByTestId('turn-card').first();
  const timings = await card.getByTestId('turn-timings').innerText();
  const output = await card.getByTestId('turn-output').innerText();
  const ran = timings.match(/ran in ([\d.]+) (ms|s)/);
  return {
    endReason: await page.getByTestId('trajectory').getAttribute('data-end-reason'),
    seconds: ran ? Number(ran[1]) / (ran[2] === 'ms' ? 1000 : 1) : null,
    printed: output.split('\n').slice(0, 4),
  };
}

function videoBench() {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'bench/videoDecode.ts')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BENCH_ROUNDS: '1', BENCH_REUSE_BUILD: '1' }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  return JSON.parse(out) as unknown;
}

function askBench() {
  const seconds: Record<string, number> = {};
  const answers: Record<string, string | null> = {};
  let peakKb = 0;
  const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  for (const s of MEDIA_SAMPLES.filter((x) => x.kind === 'image')) {
    const args = [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'cli/ask.ts'), '--image', path.join(ROOT, 'public/samples', s.file), '--question', s.question, '--json'];
    const r = time ? spawnSync(time, ['-f', 'PEAK_KB %M', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8' }) : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    const kb = Number(r.stderr.match(/PEAK_KB (\d+)/)?.[1] ?? 0);
    peakKb = Math.max(peakKb, kb);
    try {
      const j = JSON.parse(r.stdout) as { seconds: number; answer: string | null };
      seconds[s.file] = j.seconds;
      answers[s.file] = j.answer;
    } catch {
      seconds[s.file] = NaN;
      answers[s.file] = `failed: ${r.stderr.trim().split('\n').pop()}`;
    }
  }
  return { policy: 'tiny (public/models/tiny), greedy', medianSeconds: median(Object.values(seconds)), seconds, answers, peakRssMB: peakKb ? round(peakKb / 1024) : null };
}

async function main() {
  const started = Date.now();
  log('Node: detector and OCR');
  const node = await nodeTools();
  const browser = skip.has('browser') ? null : (log('Chromium: detect() from Python'), await browserDetector());
  const video = skip.has('video') ? null : (log('Chromium: video frame decoding (bench/videoDecode.ts)'), videoBench());
  const ask = skip.has('ask') ? null : (log('npm run ask on the sample photos'), askBench());
  console.log(
    JSON.stringify(
      {
        machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((x) => round(x, 2)) },
        node,
        chromiumDetector: browser,
        video,
        ask,
        peakRssMB: round(process.resourceUsage().maxRSS / 1024),
        wallSeconds: round((Date.now() - started) / 1000),
      },
      null,
      2,
    ),
  );
}

main().catch((err: Error) => {
  console.error(`bench:tools failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
