/**
 * `npx tsx bench/videoDecode.ts`: how fast the playground reads frames of a real video, printed
 * as one JSON object.
 *
 * - The clip: 40 s, 25 fps, 1280×720 H.264 (libx264 defaults: High profile, B-frames, key frames
 *   at scene cuts and at most every 250 frames) in MP4, a slow pan over each of eight real
 *   photographs of eval/real/photos (licences in eval/real/media.json), made here with ffmpeg and
 *   cached in the temp dir (never committed).
 * - The app: the production build (rebuilt when dist/ is older than app/, src/ or workers/;
 *   BENCH_REUSE_BUILD=1 takes dist/ as it is), served by `vite preview` on a free port, opened
 *   in the system Chromium (/usr/bin/chromium) with `?debug=video`, which installs the page hook
 *   in app/video/videoDebug.ts. The clip is uploaded through the app's own file input.
 * - Measured on fresh providers (cold caches): open (metadata) time; ms per frame for sparse
 *   sampling (every 50th frame), a dense forward run (100 consecutive frames) and random access
 *   (20 random frames), through WebCodecs and through the `<video>`-seek fallback on the same
 *   indices; the mean pixel difference between the two paths on the sparse frames.
 * Each pattern runs BENCH_ROUNDS times (default 2), both paths back to back; the best is kept.
 * Env: BENCH_PORT (default: a free port), CHROMIUM_PATH, BENCH_ROUNDS, BENCH_REUSE_BUILD.
 */
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, ensureBuild, freePort, startPreview } from './appServer';
import { makeClip } from './benchClip';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { VideoDebugApi } from '../app/video/videoDebug';

const log = (s: string) => process.stderr.write(`[bench:video] ${s}\n`);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function ffprobe(file: string): { width: number; height: number; fps: number; frames: number; duration: number; codec: string } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,r_frame_rate,nb_frames,duration', '-of', 'json', file], { encoding: 'utf8' });
  const s = (JSON.parse(out) as { streams: Array<Record<string, string | number>> }).streams[0]!;
  const [n, d] = String(s.r_frame_rate).split('/').map(Number);
  return { width: Number(s.width), height: Number(s.height), fps: n! / (d ?? 1), frames: Number(s.nb_frames), duration: Number(s.duration), codec: String(s.codec_name) };
}

async function main() {
  const started = Date.now();
  const clip = makeClip(log);
  const probe = ffprobe(clip);
  const build = ensureBuild(log);
  const port = Number(process.env.BENCH_PORT) || (await freePort());
  const server = await startPreview(port);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    // tsx (esbuild keepNames) wraps named functions inside page.evaluate callbacks in __name().
    await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await page.goto(`${server.url}?debug=video`);
    await page.getByTestId('media-info').waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => !!window.__pyvisionVideo, undefined, { timeout: 30_000 });
    log('uploading the clip through the app');
    const t0 = Date.now();
    await page.getByTestId('media-input').setInputFiles(clip);
    await page.locator('[data-testid="video-meta"][data-decoder]').waitFor({ timeout: 120_000 });
    const uploadToMetaMs = Date.now() - t0;

    const frameCount = probe.frames;
    const sparse = Array.from({ length: Math.ceil(frameCount / 50) }, (_, k) => k * 50);
    const denseStart = Math.floor(frameCount / 2) + 7; // mid-clip, not on a key frame
    const dense = Array.from({ length: 100 }, (_, k) => denseStart + k);
    const rounds = Number(process.env.BENCH_ROUNDS) || 2;
    let seed = 42;
    const random = Array.from({ length: 20 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) % frameCount);

    log('measuring in the page');
    const result = await page.evaluate(
      async ({ sparse, dense, random, rounds }) => {
        const api = window.__pyvisionVideo as VideoDebugApi;
        const current = api.current();
        const per = (r: { totalMs: number }, n: number) => r.totalMs / n;
        // Interleaved (pattern by pattern, both paths back to back) so that load drifting on a
        // shared machine hits both alike; each pattern on a fresh provider (cold cache, no decoder).
        const webcodecs: Record<string, unknown> = { openMs: [] as number[] };
        const seek: Record<string, unknown> = { openMs: [] as number[] };
        for (let round = 0; round < rounds; round++) {
          for (const [label, indices] of [['sparse', sparse], ['dense', dense], ['random', random]] as const) {
            for (const [decoder, out] of [['webcodecs', webcodecs], ['seek', seek]] as const) {
              const v = await api.open(decoder);
              (out.openMs as number[]).push(v.openMs);
              const r = await api.frames(v.id, indices);
              const key = `${label}MsPerFrame`;
              out[key] = Math.min((out[key] as number | undefined) ?? Infinity, per(r, indices.length));
              out[`${label}FirstFrameMs`] = Math.min((out[`${label}FirstFrameMs`] as number | undefined) ?? Infinity, r.ms[0]!);
              out[`${label}Stats`] = api.stats(v.id);
              api.close(v.id);
            }
          }
        }
        const a = await api.open('webcodecs');
        const b = await api.open('seek');
        const diffs = await api.diff(a.id, b.id, sparse);
        api.close(a.id);
        api.close(b.id);
        return { current, webcodecs, seek, diffs };
      },
      { sparse, dense, random, rounds },
    );
    const wc = result.webcodecs as Record<string, number> & { openMs: number[] };
    const sk = result.seek as Record<string, number> & { openMs: number[] };
    const cur = result.current!;
    const metaMatchesFfprobe =
      cur.width === probe.width && cur.height === probe.height && cur.frameCount === probe.frames && Math.abs(cur.fps - probe.fps) < 1e-6 && Math.abs(cur.duration - probe.duration) < 0.05;
    const json = {
      clip: { file: path.basename(clip), bytes: statSync(clip).size, ffprobe: probe },
      app: { build, decoder: cur.decoder, codec: cur.codec, fpsSource: cur.fpsSource, meta: { width: cur.width, height: cur.height, frameCount: cur.frameCount, fps: cur.fps, duration: round(cur.duration, 3) }, metaMatchesFfprobe },
      indices: { sparse: `every 50th: ${sparse.length} frames`, dense: `${dense.length} consecutive from ${denseStart}`, random: `${random.length} random (seed 42)` },
      openMs: {
        uploadToMetadataShown: uploadToMetaMs,
        webcodecs: round(median(wc.openMs)),
        seekWithKnownTiming: round(median(sk.openMs)),
      },
      msPerFrame: {
        webcodecs: { sparse: round(wc.sparseMsPerFrame!), dense: round(wc.denseMsPerFrame!), random: round(wc.randomMsPerFrame!) },
        seek: { sparse: round(sk.sparseMsPerFrame!), dense: round(sk.denseMsPerFrame!), random: round(sk.randomMsPerFrame!) },
        speedup: {
          sparse: round(sk.sparseMsPerFrame! / wc.sparseMsPerFrame!, 1),
          dense: round(sk.denseMsPerFrame! / wc.denseMsPerFrame!, 1),
          random: round(sk.randomMsPerFrame! / wc.randomMsPerFrame!, 1),
        },
      },
      firstFrameMs: { webcodecsDense: round(wc.denseFirstFrameMs!), seekDense: round(sk.denseFirstFrameMs!) },
      webcodecsStats: { sparse: wc.sparseStats, dense: wc.denseStats, random: wc.randomStats },
      webcodecsVsSeekMeanAbsDiff: {
        max: round(Math.max(...result.diffs), 3),
        mean: round(result.diffs.reduce((s, d) => s + d, 0) / result.diffs.length, 3),
        perSparseFrame: Object.fromEntries(sparse.map((i, k) => [i, round(result.diffs[k]!, 1)])),
      },
      rounds: `${rounds} (best per metric)`,
      machine: { cores: cpus().length, loadAverage1m: round(loadavg()[0]!, 1) },
      wallSeconds: Math.round((Date.now() - started) / 1000),
    };
    console.log(JSON.stringify(json, null, 2));
  } finally {
    await browser.close();
    server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
