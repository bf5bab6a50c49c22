import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { answerTurn, codeTurn, generateTask, openPlayground, submitHumanTurn, trajectory, turnOutput, waitForEnd } from './playground';

// The same 32-frame clip as VP8/WebM and H.264/MP4 (see e2e/fixtures/README.md).
const VIDEOS = [
  { name: 'WebM (VP8)', file: resolve('e2e/fixtures/segments-8fps.webm') },
  { name: 'MP4 (H.264)', file: resolve('e2e/fixtures/segments-8fps.mp4') },
];

async function fetchedFrames(page: Page): Promise<number[]> {
  return JSON.parse((await trajectory(page).getByTestId('fetched-frames').getAttribute('data-frames'))!);
}

test('a generated video task fetches only the frames its code asks for', async ({ page }) => {
  const errors = await openPlayground(page);
  await generateTask(page, 'video-events', 5);
  const meta = page.getByTestId('video-meta');
  const frameCount = Number(await meta.getAttribute('data-frames'));
  expect(frameCount).toBeGreaterThan(12);

  await page.getByTestId('policy-select').selectOption('human');
  await page.getByTestId('run-agent').click();
  const wanted = [0, 5, Math.floor(frameCount / 2), frameCount - 1];
  await submitHumanTurn(
    page,
    codeTurn(
      'Sample a few frames.',
      [`batch = video_clue_0.get_batch(${JSON.stringify(wanted.slice(0, 3))})`, `last = video_clue_0[${wanted[3]}]`, 'print("got", batch.shape, last.shape, len(video_clue_0))'].join('\n'),
    ),
  );
  const first = trajectory(page).getByTestId('turn-card').first();
  await expect(first.getByTestId('turn-observation')).toBeVisible({ timeout: 60_000 });
  expect(await turnOutput(first)).toContain(`got (3, `);
  await expect.poll(() => fetchedFrames(page)).toEqual(wanted);
  await expect(trajectory(page).getByTestId('fetched-frames')).toContainText(wanted.join(', '));
  await submitHumanTurn(page, answerTurn('Enough.', 'red'));
  expect(await waitForEnd(page)).toBe('DONE');
  expect(await fetchedFrames(page)).toEqual(wanted);
  expect(errors).toEqual([]);
});

test('the scripted expert answers a video task from a few frames, not the whole clip', async ({ page }) => {
  await openPlayground(page);
  await generateTask(page, 'video-events', 8);
  const frameCount = Number(await page.getByTestId('video-meta').getAttribute('data-frames'));
  await page.getByTestId('policy-select').selectOption('scripted');
  await page.getByTestId('run-agent').click();
  expect(await waitForEnd(page, 120_000)).toBe('DONE');
  const frames = await fetchedFrames(page);
  expect(frames.length).toBeGreaterThan(0);
  expect(new Set(frames).size).toBeLessThan(frameCount);
  await expect(trajectory(page).getByTestId('figure-canvas').first()).toBeVisible();
});

for (const { name, file } of VIDEOS) {
test(`an uploaded ${name} video is decoded in the page: metadata, exact frames, right colours`, async ({ page }) => {
  const errors = await openPlayground(page);
  await page.getByTestId('media-input').setInputFiles(file);
  const meta = page.getByTestId('video-meta');
  await expect(meta).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('media-info')).toHaveAttribute('data-source', 'video');
  await expect(meta).toHaveAttribute('data-width', '160');
  await expect(meta).toHaveAttribute('data-height', '120');
  await expect(meta).toHaveAttribute('data-frames', '32');
  await expect(meta).toHaveAttribute('data-fps', '8');
  // WebCodecs reads the rate from the container's timestamps (video-webcodecs.spec.ts covers it).
  await expect(meta).toHaveAttribute('data-decoder', 'webcodecs');
  await expect(meta).toContainText('(from the file)');

  await page.getByTestId('question-input').fill('What colour is the background at frame 20?');
  await page.getByTestId('policy-select').selectOption('human');
  await page.getByTestId('run-agent').click();
  const code = [
    'def px(f, x, y):',
    '    return tuple(f[y, x].tobytes())',
    'for i in (20, 7, 8):',
    '    f = video_clue_0[i]',
    '    print(i, f.shape, "bg", px(f, 80, 60), "box", px(f, 4 * i + 1, 8), "left", px(f, 4 * i - 3, 8))',
    'print("fps", video_clue_0.get_avg_fps(), "n", len(video_clue_0))',
  ].join('\n');
  await submitHumanTurn(page, codeTurn('Read three frames.', code));
  const first = trajectory(page).getByTestId('turn-card').first();
  await expect(first.getByTestId('turn-observation')).toBeVisible({ timeout: 60_000 });
  const out = await turnOutput(first);
  expect(out).toContain('fps 8');
  expect(out).toContain('n 32');
  const rows = Object.fromEntries(
    [...out.matchAll(/^(\d+) \(120, 160, 3\) bg \((\d+), (\d+), (\d+)\) box \((\d+), (\d+), (\d+)\) left \((\d+), (\d+), (\d+)\)$/gm)].map((m) => [
      Number(m[1]),
      { bg: [+m[2]!, +m[3]!, +m[4]!], box: [+m[5]!, +m[6]!, +m[7]!], left: [+m[8]!, +m[9]!, +m[10]!] },
    ]),
  );
  const near = (got: number[], want: number[]) => got.every((v, k) => Math.abs(v - want[k]!) <= 16);
  const expected: Record<number, number[]> = { 20: [0, 0, 255], 7: [255, 0, 0], 8: [0, 255, 0] };
  for (const [i, colour] of Object.entries(expected)) {
    const row = rows[Number(i)];
    expect(row, `frame ${i} in:\n${out}`).toBeTruthy();
    expect(near(row!.bg, colour), `frame ${i} background ${row!.bg}`).toBe(true);
    // The white box sits at x = 4i on frame i (and only there): this is exactly frame i.
    expect(near(row!.box, [255, 255, 255]), `frame ${i} box ${row!.box}`).toBe(true);
    expect(near(row!.left, colour), `frame ${i} left of the box ${row!.left}`).toBe(true);
  }
  await expect.poll(() => fetchedFrames(page)).toEqual([20, 7, 8]);
  await submitHumanTurn(page, answerTurn('Blue.', 'blue'));
  expect(await waitForEnd(page)).toBe('DONE');
  expect(errors).toEqual([]);
});
}

test('a corrupt video shows a clear error and keeps the current media', async ({ page }) => {
  await openPlayground(page);
  const before = await page.getByTestId('media-info').getAttribute('data-task-id');
  await page.getByTestId('media-input').setInputFiles({ name: 'broken.webm', mimeType: 'video/webm', buffer: Buffer.from('\x1aE\xdf\xa3 not really a webm file') });
  await expect(page.getByTestId('media-error')).toContainText('broken.webm');
  await expect(page.getByTestId('media-error')).toContainText(/corrupt|codec|decode/i);
  await expect(page.getByTestId('media-info')).toHaveAttribute('data-task-id', before!);
});

test('a MediaRecorder WebM (duration reported as Infinity) gets a finite duration, a measured rate and frames', async ({ page }) => {
  await openPlayground(page);
  // Record ~1.5 s of an animated canvas in the page, as a browser-made WebM.
  const bytes = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 96;
    canvas.height = 64;
    const ctx = canvas.getContext('2d')!;
    const stream = canvas.captureStream(20);
    const recorder = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8' });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((r) => (recorder.onstop = r));
    recorder.start(100); // in slices, like a live recording: no duration in the header
    const t0 = performance.now();
    await new Promise<void>((done) => {
      const draw = () => {
        const t = performance.now() - t0;
        ctx.fillStyle = t < 750 ? '#ff0000' : '#0000ff';
        ctx.fillRect(0, 0, 96, 64);
        if (t < 1500) requestAnimationFrame(draw);
        else done();
      };
      draw();
    });
    recorder.stop();
    await stopped;
    const blob = new Blob(chunks, { type: 'video/webm' });
    const probe = document.createElement('video');
    probe.src = URL.createObjectURL(blob);
    await new Promise((r) => (probe.onloadedmetadata = r));
    return { data: Array.from(new Uint8Array(await blob.arrayBuffer())), duration: String(probe.duration) };
  });
  expect(bytes.duration).toBe('Infinity');
  await page.getByTestId('media-input').setInputFiles({ name: 'recorded.webm', mimeType: 'video/webm', buffer: Buffer.from(bytes.data) });
  const meta = page.getByTestId('video-meta');
  await expect(meta).toBeVisible({ timeout: 30_000 });
  await expect(meta).toHaveAttribute('data-width', '96');
  const frames = Number(await meta.getAttribute('data-frames'));
  const fps = Number(await meta.getAttribute('data-fps'));
  expect(Number.isFinite(frames) && frames >= 5).toBe(true);
  expect(fps).toBeGreaterThan(1);
  expect(fps).toBeLessThanOrEqual(121);

  await page.getByTestId('question-input').fill('Which colours appear?');
  await page.getByTestId('policy-select').selectOption('human');
  await page.getByTestId('run-agent').click();
  await submitHumanTurn(page, codeTurn('First and last frames.', `print([tuple(video_clue_0[i][32, 48].tobytes()) for i in (0, ${frames - 1})])`));
  const first = trajectory(page).getByTestId('turn-card').first();
  await expect(first.getByTestId('turn-observation')).toBeVisible({ timeout: 60_000 });
  const [a, b] = JSON.parse((await turnOutput(first)).trim().replace(/\(/g, '[').replace(/\)/g, ']')) as number[][];
  expect(a![0]).toBeGreaterThan(200); // red at the start
  expect(b![2]).toBeGreaterThan(200); // blue at the end
});
