import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { VideoDebugApi } from '../app/video/videoDebug';
import { codeTurn, submitHumanTurn, trajectory, turnOutput } from './playground';

/**
 * Real clips of a real photograph (e2e/fixtures/README.md), decoded in the page by WebCodecs
 * (behind mediabunny's demuxer) and, for comparison, by the `<video>`-seek fallback. The page
 * hook `window.__pyvisionVideo` exists only with `?debug=video` (app/video/videoDebug.ts).
 */
const CLIPS = [
  // ffprobe -count_frames: what the container holds (checked against ffprobe below when present).
  { label: 'MP4 (H.264 High, B-frames)', file: 'pan-h264.mp4', codec: 'avc', width: 384, height: 288, fps: 25, frames: 75, duration: 3 },
  { label: 'WebM (VP9)', file: 'pan-vp9.webm', codec: 'vp9', width: 384, height: 288, fps: 30, frames: 90, duration: 3 },
] as const;

/** Largest mean absolute difference (0–255 scale, over all RGB bytes) between the two paths. */
const SAME_FRAME_TOLERANCE = 1.5;
/** Neighbouring frames of these pans differ by ≥ 8: an off-by-one frame cannot pass as equal. */
const NEIGHBOUR_MIN_DIFF = 4 * SAME_FRAME_TOLERANCE;

const fixture = (name: string) => resolve('e2e/fixtures', name);

function ffprobe(file: string): { width: number; height: number; fps: number; frames: number; duration: number } | null {
  try {
    const out = execFileSync(
      'ffprobe',
      ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,r_frame_rate,nb_read_frames:format=duration', '-of', 'json', file],
      { encoding: 'utf8' },
    );
    const j = JSON.parse(out) as { streams: Array<Record<string, string | number>>; format: { duration: string } };
    const s = j.streams[0]!;
    const [n, d] = String(s.r_frame_rate).split('/').map(Number);
    return { width: Number(s.width), height: Number(s.height), fps: n! / (d ?? 1), frames: Number(s.nb_read_frames), duration: Number(j.format.duration) };
  } catch {
    return null; // no ffprobe here: the recorded values stand
  }
}

/** Seeded indices in [0, n). */
function randomIndices(n: number, count: number, seed: number): number[] {
  const out: number[] = [];
  for (let s = seed; out.length < count; ) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(s % n);
  }
  return out;
}

async function openWithHook(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  // Chromium warns when a VideoFrame is garbage-collected unclosed (a leak that stalls decoders).
  page.on('console', (msg) => /garbage collected without being closed/i.test(msg.text()) && errors.push(msg.text()));
  // Playwright's TS transform names functions with __name(); page.evaluate callbacks need it.
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await page.goto('/?debug=video');
  await expect(page.getByTestId('media-info')).toBeVisible({ timeout: 60_000 });
  await page.waitForFunction(() => !!window.__pyvisionVideo);
  return errors;
}

async function upload(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }) {
  await page.getByTestId('media-input').setInputFiles(file);
}

const meta = (page: Page) => page.getByTestId('video-meta');

for (const clip of CLIPS) {
  test(`${clip.label}: WebCodecs decodes it, metadata as ffprobe says, frames equal to the seek fallback's`, async ({ page }) => {
    const probed = ffprobe(fixture(clip.file));
    if (probed) expect(probed).toEqual({ width: clip.width, height: clip.height, fps: clip.fps, frames: clip.frames, duration: clip.duration });
    const errors = await openWithHook(page);
    await upload(page, fixture(clip.file));
    await expect(meta(page)).toHaveAttribute('data-decoder', 'webcodecs', { timeout: 30_000 });
    await expect(meta(page)).toHaveAttribute('data-fps-source', 'container');
    await expect(meta(page)).toHaveAttribute('data-width', String(clip.width));
    await expect(meta(page)).toHaveAttribute('data-height', String(clip.height));
    await expect(meta(page)).toHaveAttribute('data-frames', String(clip.frames));
    await expect(meta(page)).toHaveAttribute('data-fps', String(clip.fps));
    expect(Number(await meta(page).getAttribute('data-duration'))).toBeCloseTo(clip.duration, 2);
    await expect(page.getByTestId('video-decoder')).toContainText(`WebCodecs (${clip.codec})`);

    const n = clip.frames;
    const indices = [0, Math.floor(n / 2), n - 1, ...randomIndices(n, 6, 7)];
    const r = await page.evaluate(async (indices) => {
      const api = window.__pyvisionVideo as VideoDebugApi;
      const seek = await api.open('seek'); // same container timing: the same frame indices
      const n = api.current()!.frameCount;
      const diffs = await api.diff('current', seek.id, indices);
      const neighbours = await api.diffWithin('current', indices.map((i) => (i + 1 < n ? [i, i + 1] : [i - 1, i]) as [number, number]));
      return { seekInfo: seek.info, diffs, neighbours };
    }, indices);
    expect(r.seekInfo.decoder).toBe('seek');
    expect(r.seekInfo.frameCount).toBe(n);
    for (const [k, i] of indices.entries()) {
      expect(r.diffs[k], `frame ${i}: WebCodecs vs seek`).toBeLessThan(SAME_FRAME_TOLERANCE);
      expect(r.neighbours[k], `frame ${i} vs its neighbour`).toBeGreaterThan(NEIGHBOUR_MIN_DIFF);
    }
    expect(errors).toEqual([]);
  });

  test(`${clip.label}: a forward run decodes each frame once and equals random access`, async ({ page }) => {
    const errors = await openWithHook(page);
    await upload(page, fixture(clip.file));
    await expect(meta(page)).toHaveAttribute('data-decoder', 'webcodecs', { timeout: 30_000 });
    const run = Array.from({ length: 40 }, (_, k) => 20 + k); // crosses a key frame (GOP = 1 s)
    const shuffled = [...run].sort((a, b) => ((a * 7919) % 41) - ((b * 7919) % 41));
    const r = await page.evaluate(
      async ({ run, shuffled, sparse }) => {
        const api = window.__pyvisionVideo as VideoDebugApi;
        const fwd = await api.open('webcodecs');
        const a = await api.frames(fwd.id, run, { hash: true });
        const fwdStats = api.stats(fwd.id)!;
        const rnd = await api.open('webcodecs');
        const b = await api.frames(rnd.id, shuffled, { hash: true });
        const rndStats = api.stats(rnd.id)!;
        // Sparse, then dense around an "event", then get_batch-like increasing indices.
        const mix = await api.open('webcodecs');
        await api.frames(mix.id, sparse);
        await api.frames(mix.id, [31, 32, 33, 34, 35, 36]);
        const again = await api.frames(mix.id, [32, 33, 34], { hash: true });
        return { a: a.hashes, b: b.hashes, fwdStats, rndStats, mixStats: api.stats(mix.id)!, again: again.hashes };
      },
      { run, shuffled, sparse: [0, 15, 30, 45, 60] },
    );
    const byIndex = (idx: number[], hashes: string[]) => Object.fromEntries(idx.map((i, k) => [i, hashes[k]]));
    expect(byIndex(shuffled, r.b)).toEqual(byIndex(run, r.a));
    expect(new Set(r.a).size).toBe(run.length); // 40 different frames
    // One decoder start (frame 0 at open); the run continues through the key frame at 25/30.
    expect(r.fwdStats.restarts).toBeLessThanOrEqual(2);
    expect(r.fwdStats.framesPulled).toBeLessThanOrEqual(run[run.length - 1]! + 12);
    expect(r.rndStats.restarts).toBeGreaterThan(r.fwdStats.restarts);
    // The dense run re-read hits the LRU.
    expect(r.again).toEqual([r.a[12], r.a[13], r.a[14]]);
    expect(r.mixStats.cacheHits).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual([]);
  });
}

test('Python reads a real H.264 clip through WebCodecs: get_batch, len, fps, exact frames', async ({ page }) => {
  const errors = await openWithHook(page);
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await upload(page, fixture('pan-h264.mp4'));
  await expect(meta(page)).toHaveAttribute('data-decoder', 'webcodecs', { timeout: 30_000 });
  const want = await page.evaluate(async () => {
    const api = window.__pyvisionVideo as VideoDebugApi;
    return (await api.frames('current', [3, 40, 74], { checksum: true })).checksums;
  });
  await page.getByTestId('question-input').fill('Where does the pan end?');
  await page.getByTestId('policy-select').selectOption('human');
  await page.getByTestId('run-agent').click();
  const code = [
    'v = video_clue_0',
    'b = v.get_batch([3, 40, 74])',
    'print("n", len(v), "fps", v.get_avg_fps(), "shape", b.shape)',
    'print("sums", ["%d/%d" % (sum(f.tobytes()), sum(f.tobytes()[::7])) for f in b])',
    'scan = [v[i] for i in range(0, 75, 3)]',
    'print("scanned", len(scan), "frames; last", "%d/%d" % (sum(scan[-1].tobytes()), sum(scan[-1].tobytes()[::7])))',
  ].join('\n');
  await submitHumanTurn(page, codeTurn('Scan the clip.', code));
  const first = trajectory(page).getByTestId('turn-card').first();
  await expect(first.getByTestId('turn-observation')).toBeVisible({ timeout: 60_000 });
  const out = await turnOutput(first);
  expect(out).toContain('n 75 fps 25');
  expect(out).toMatch(/shape \(3, 288, 384, 3\)/);
  // Python got exactly the frames the page decodes.
  expect(out).toContain(`sums ['${want.join("', '")}']`);
  expect(out).toContain(`scanned 25 frames; last ${(await page.evaluate(async () => (await (window.__pyvisionVideo as VideoDebugApi).frames('current', [72], { checksum: true })).checksums[0]))}`);
  expect(errors).toEqual([]);
});

test('broken files: clear errors, no hang, and the app stays usable', async ({ page }) => {
  const errors = await openWithHook(page);
  const before = await page.getByTestId('media-info').getAttribute('data-task-id');
  const mp4 = readFileSync(fixture('pan-h264.mp4'));

  // Not a video at all.
  await upload(page, { name: 'broken.mp4', mimeType: 'video/mp4', buffer: Buffer.from('\x00\x00\x00\x18ftypisom not really an mp4 file at all') });
  await expect(page.getByTestId('media-error')).toContainText('broken.mp4');
  await expect(page.getByTestId('media-error')).toContainText(/corrupt|not supported|could not/i);
  await expect(page.getByTestId('media-info')).toHaveAttribute('data-task-id', before!);

  // Truncated: the index promises frames whose bytes are missing.
  await upload(page, { name: 'cut.mp4', mimeType: 'video/mp4', buffer: mp4.subarray(0, Math.floor(mp4.length * 0.6)) });
  await expect(page.getByTestId('media-error')).toContainText('"cut.mp4" is truncated');

  // AVI: a container browsers do not decode; the message says what works.
  const avi = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x10, 0, 0, 0]), Buffer.from('AVI LIST'), Buffer.alloc(64)]);
  await upload(page, { name: 'old.avi', mimeType: 'video/x-msvideo', buffer: avi });
  await expect(page.getByTestId('media-error')).toContainText('AVI');
  await expect(page.getByTestId('media-error')).toContainText('MP4');
  await expect(page.getByTestId('media-error')).toContainText('WebM');

  // Damaged in the middle: it opens; the damaged frames fail with a clear error, quickly, and
  // the frames around them still decode.
  const garbled = Buffer.from(mp4);
  let s = 1;
  for (let i = garbled.length >> 1; i < (garbled.length >> 1) + 8000; i++) garbled[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  await upload(page, { name: 'damaged.mp4', mimeType: 'video/mp4', buffer: garbled });
  await expect(meta(page)).toHaveAttribute('data-decoder', 'webcodecs', { timeout: 30_000 });
  const started = Date.now();
  const scan = await page.evaluate(async () => {
    const api = window.__pyvisionVideo as VideoDebugApi;
    const out: Array<string | null> = [];
    for (let i = 0; i < 75; i++) out.push(await api.frameError('current', i));
    return out;
  });
  expect(Date.now() - started).toBeLessThan(30_000);
  const failed = scan.filter((e) => e !== null);
  expect(failed.length).toBeGreaterThan(0);
  for (const e of failed) expect(e).toMatch(/^VideoDecodeError: frame \d+ could not be decoded: .*corrupt/);
  expect(scan[0]).toBeNull();
  expect(scan[74]).toBeNull();

  // Still usable: a good clip opens and decodes.
  await upload(page, fixture('pan-vp9.webm'));
  await expect(meta(page)).toHaveAttribute('data-frames', '90', { timeout: 30_000 });
  await expect(page.getByTestId('media-error')).toHaveCount(0);
  expect(await page.evaluate(() => (window.__pyvisionVideo as VideoDebugApi).frameError('current', 89))).toBeNull();
  expect(errors).toEqual([]);
});

test('without WebCodecs the <video>-seek fallback opens the clip, with the reason shown', async ({ page }) => {
  await page.addInitScript({ content: 'delete window.VideoDecoder;' });
  await openWithHook(page);
  await upload(page, fixture('pan-h264.mp4'));
  await expect(meta(page)).toHaveAttribute('data-decoder', 'seek', { timeout: 30_000 });
  await expect(page.getByTestId('video-decoder')).toContainText('seeking');
  await expect(page.getByTestId('video-decoder')).toHaveAttribute('title', /VideoDecoder/);
  await expect(meta(page)).toHaveAttribute('data-width', '384');
  const info = await page.evaluate(async () => {
    const api = window.__pyvisionVideo as VideoDebugApi;
    return { info: api.current(), err: await api.frameError('current', 10) };
  });
  expect(info.err).toBeNull();
  expect(info.info!.fallbackReason).toMatch(/VideoDecoder/);
});

test('a video wider than MAX_FRAME_SIDE is scaled down to 1920 px, the same way on both paths', async ({ page }) => {
  await openWithHook(page);
  // A 2400×120 browser-made WebM (MediaRecorder): red on the left, blue on the right.
  const bytes = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 2400;
    canvas.height = 120;
    const ctx = canvas.getContext('2d')!;
    const recorder = new MediaRecorder(canvas.captureStream(15), { mimeType: 'video/webm;codecs=vp8' });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((r) => (recorder.onstop = r));
    recorder.start();
    const t0 = performance.now();
    await new Promise<void>((done) => {
      const draw = () => {
        ctx.fillStyle = '#ff0000';
        ctx.fillRect(0, 0, 1200, 120);
        ctx.fillStyle = '#0000ff';
        ctx.fillRect(1200, 0, 1200, 120);
        if (performance.now() - t0 < 1000) requestAnimationFrame(draw);
        else done();
      };
      draw();
    });
    recorder.stop();
    await stopped;
    return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
  });
  await upload(page, { name: 'wide.webm', mimeType: 'video/webm', buffer: Buffer.from(bytes) });
  await expect(meta(page)).toHaveAttribute('data-decoder', 'webcodecs', { timeout: 30_000 });
  await expect(meta(page)).toHaveAttribute('data-width', '1920');
  await expect(meta(page)).toHaveAttribute('data-height', '96');
  const r = await page.evaluate(async () => {
    const api = window.__pyvisionVideo as VideoDebugApi;
    const seek = await api.open('seek');
    return {
      // The red/blue edge was at x = 1200 of 2400: at 960 of 1920 once scaled.
      px: await api.pixels('current', 0, [
        [100, 48],
        [950, 48],
        [970, 48],
        [1800, 48],
      ]),
      seekSize: [seek.info.width, seek.info.height],
      diff: await api.diff('current', seek.id, [0]),
    };
  });
  expect(r.seekSize).toEqual([1920, 96]);
  // Which side of the edge each point is on: a wrong scale or crop puts a point on the other
  // colour (a difference of 255). VP8's first frames from a loaded machine's recorder drift by a
  // few levels (measured (255,0,10) for red under load), so the colours are compared within 32.
  const near = (got: number[], want: number[]) => got.every((v, k) => Math.abs(v - want[k]!) <= 32);
  for (const [k, want] of [[255, 0, 0], [255, 0, 0], [0, 0, 255], [0, 0, 255]].entries()) expect(near(r.px[k]!, want), `point ${k}: ${r.px[k]}`).toBe(true);
  // This untagged browser-made clip converts to RGB a few levels apart on the two paths (the
  // seek path gives (255,1,5) for red); scaled differently (e.g. cropped), the edge would move
  // 240 columns and the difference would be ≈ 20.
  expect(r.diff[0]).toBeLessThan(8);
});
