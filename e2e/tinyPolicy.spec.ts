import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { generateTask, openPlayground, trajectory, waitForEnd } from './playground';

/**
 * The tiny learned policy in the UI: shipped weights load with a progress bar and show their name
 * and hash; the policy streams tokens into the turn card and its tokens can be coloured by
 * log-prob; weights round-trip through IndexedDB and files; a malformed upload changes nothing.
 * WASM is forced (`?backend=wasm`): WebGPU is CPU-emulated here. Whatever weights are in
 * public/models/tiny are used (placeholder or real): their name and hash are read from disk.
 */
const SHIPPED = JSON.parse(readFileSync(resolve('public/models/tiny/model.json'), 'utf8')) as {
  userDefinedMetadata: { name: string; contentHash: string };
};
const NAME = SHIPPED.userDefinedMetadata.name;
const HASH = SHIPPED.userDefinedMetadata.contentHash;

/** Records, from the first byte of the page, what flashed by: the model's progress bar, streamed text. */
async function watch(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __seen: { progress: number; stream: number } };
    w.__seen = { progress: 0, stream: 0 };
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid="model-progress"]') as HTMLProgressElement | null;
      if (p) w.__seen.progress = Math.max(w.__seen.progress, 0.001, p.position >= 0 ? p.position : 0);
      const s = document.querySelector('[data-testid="streaming-text"]');
      if (s) w.__seen.stream = Math.max(w.__seen.stream, (s.textContent ?? '').replace('▍', '').length);
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

const seen = (page: Page) => page.evaluate(() => (window as unknown as { __seen: { progress: number; stream: number } }).__seen);

async function open(page: Page, url = '/?backend=wasm'): Promise<string[]> {
  await watch(page);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url);
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  return errors;
}

/** Short runs: few tokens per turn (Settings), a small turn budget. */
async function shortRuns(page: Page, tokens: number, turns: number): Promise<void> {
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('gen-maxNewTokens').fill(String(tokens));
  await page.getByTestId('gen-maxNewTokens').press('Enter');
  await expect(page.getByTestId('gen-maxNewTokens')).toHaveValue(String(tokens));
  await page.getByTestId('tab-playground').click();
  await page.getByTestId('max-turns-input').fill(String(turns));
  await page.getByTestId('max-turns-input').press('Enter');
}

async function runTiny(page: Page, seed: number): Promise<string> {
  await generateTask(page, 'visual-search', seed);
  await expect(page.getByTestId('policy-select')).toHaveValue('tiny');
  await page.getByTestId('run-agent').click();
  return waitForEnd(page);
}

test('the shipped weights load on start with a progress bar; name, hash and backend are shown', async ({ page }) => {
  const errors = await open(page);
  expect((await seen(page)).progress, 'the progress bar was shown').toBeGreaterThan(0);
  await expect(page.getByTestId('model-name')).toHaveText(NAME);
  await expect(page.getByTestId('model-hash')).toHaveText(HASH.slice(0, 12));
  await expect(page.getByTestId('model-backend')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('model-backend')).toHaveAttribute('title', /forced by the URL/);
  await page.getByTestId('tab-model').click();
  await expect(page.getByTestId('weights-hash')).toHaveText(HASH);
  await expect(page.getByTestId('weights-source')).toHaveAttribute('data-source', 'shipped');
  await page.getByTestId('tab-settings').click();
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  await expect(page.getByTestId('backend-reason')).toContainText('?backend=wasm');
  // The second start reads the weights from the Cache API, not the network.
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/models/tiny/weights.bin')) fetched.push(r.url());
  });
  await page.reload();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-name')).toHaveText(NAME);
  expect(fetched).toEqual([]);
  expect(errors).toEqual([]);
});

test('Settings can force a backend: the one running and why are shown, the choice is kept, the model still runs', async ({ page }) => {
  const errors = await open(page, '/');
  await page.getByTestId('tab-settings').click();
  await expect(page.getByTestId('backend-select')).toHaveValue('auto');
  // Automatic: whatever it picked, it says why (here WASM, as WebGPU is a software fallback).
  await expect(page.getByTestId('backend-reason')).not.toBeEmpty();
  await page.getByTestId('backend-select').selectOption('cpu');
  await expect(page.getByTestId('backend-name')).toHaveText('cpu');
  await expect(page.getByTestId('backend-reason')).toHaveText('forced by the user');
  await expect(page.getByTestId('model-backend')).toHaveAttribute('data-backend', 'cpu');
  await page.reload();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('backend-select')).toHaveValue('cpu');
  await expect(page.getByTestId('backend-name')).toHaveText('cpu');
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await shortRuns(page, 8, 1);
  expect(await runTiny(page, 4)).not.toBe('');
  await expect(trajectory(page).getByTestId('turn-card')).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('the tiny policy is the default; its tokens stream into the turn card and can be coloured by log-prob', async ({ page }) => {
  const errors = await open(page);
  await shortRuns(page, 24, 2);
  await runTiny(page, 3);
  expect((await seen(page)).stream, 'text streamed in while generating').toBeGreaterThan(0);
  const card = trajectory(page).getByTestId('turn-card').first();
  await expect(card).toBeVisible();
  await expect(trajectory(page)).toContainText('policy tiny');
  const count = Number((await card.getByTestId('turn-tokens').innerText()).match(/(\d+) text tokens/)?.[1]);
  expect(count).toBeGreaterThan(0);
  // Colouring on: the raw text becomes coloured token spans with their log-prob in the tooltip.
  await page.getByTestId('color-tokens').check();
  await expect(page.getByTestId('token-legend')).toBeVisible();
  const tokens = card.getByTestId('token');
  await expect(tokens).toHaveCount(count);
  await expect(tokens.first()).toHaveAttribute('title', /log p = -?\d+\.\d{3}/);
  const lp = Number(await tokens.first().getAttribute('data-logprob'));
  expect(lp).toBeLessThanOrEqual(0);
  expect(await tokens.first().evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
  // …and off again (the choice is a setting, kept across reloads).
  await page.getByTestId('color-tokens').uncheck();
  await expect(card.getByTestId('token-text')).toHaveCount(0);
  await expect(page.getByTestId('token-legend')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('weights saved in IndexedDB survive a reload and load back; download and re-upload round-trip', async ({ page }) => {
  await open(page);
  await page.getByTestId('tab-model').click();
  await page.getByTestId('save-name').fill('e2e weights');
  await page.getByTestId('save-weights').click();
  await expect(page.getByTestId('saved-item')).toHaveCount(1);
  await expect(page.getByTestId('saved-item')).toHaveAttribute('data-name', 'e2e weights');
  await expect(page.getByTestId('weights-source')).toHaveAttribute('data-source', 'saved');

  // The remembered choice (the saved copy) is what the reload brings back.
  await page.reload();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('weights-source')).toHaveAttribute('data-source', 'saved');
  await expect(page.getByTestId('weights-notice')).toContainText('Loaded "e2e weights"');
  await expect(page.getByTestId('weights-hash')).toHaveText(HASH);

  // Shipped, then the saved one again, by hand.
  await page.getByTestId('load-shipped').click();
  await expect(page.getByTestId('weights-source')).toHaveAttribute('data-source', 'shipped');
  await page.getByTestId('saved-load').click();
  await expect(page.getByTestId('weights-source')).toHaveAttribute('data-source', 'saved');
  await expect(page.getByTestId('model-hash')).toHaveText(HASH.slice(0, 12));

  // Download: model.json + weights.bin + tokenizer.json; uploading them loads the same weights.
  const downloads: Array<{ name: string; path: string }> = [];
  page.on('download', async (d) => downloads.push({ name: d.suggestedFilename(), path: await d.path() }));
  await page.getByTestId('download-weights').click();
  await expect.poll(() => downloads.length).toBe(3);
  expect(downloads.map((d) => d.name).sort()).toEqual(['model.json', 'tokenizer.json', 'weights.bin']);
  await page.getByTestId('weights-upload').setInputFiles(downloads.map((d) => ({ name: d.name, mimeType: 'application/octet-stream', buffer: readFileSync(d.path) })));
  await expect(page.getByTestId('weights-source')).toHaveAttribute('data-source', 'upload');
  await expect(page.getByTestId('weights-hash')).toHaveText(HASH);

  await page.getByTestId('saved-delete').click();
  await expect(page.getByTestId('saved-empty')).toBeVisible();
});

test('a malformed or mismatched weights upload shows a clear error and the current model keeps running', async ({ page }) => {
  await open(page);
  await page.getByTestId('tab-model').click();
  const modelJson = readFileSync(resolve('public/models/tiny/model.json'));
  const weights = readFileSync(resolve('public/models/tiny/weights.bin'));
  const upload = (files: Array<{ name: string; buffer: Buffer }>) =>
    page.getByTestId('weights-upload').setInputFiles(files.map((f) => ({ ...f, mimeType: 'application/octet-stream' })));
  const error = page.getByTestId('weights-error');

  // A corrupt weights.bin (same length, flipped bytes): the content hash catches it.
  const corrupt = Buffer.from(weights);
  for (let i = 0; i < corrupt.length; i += 997) corrupt[i] = corrupt[i]! ^ 0xff;
  await upload([{ name: 'model.json', buffer: modelJson }, { name: 'weights.bin', buffer: corrupt }]);
  await expect(error).toContainText(/content hash .* does not match/);
  await expect(error).toContainText('The current model is unchanged');

  // A truncated weights.bin.
  await upload([{ name: 'model.json', buffer: modelJson }, { name: 'weights.bin', buffer: weights.subarray(0, 1000) }]);
  await expect(error).toContainText(/bytes, the manifest describes/);

  // A model.json of another format (a Keras layers model).
  const keras = { format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'dense/kernel', shape: [2, 2], dtype: 'float32' }] }] };
  await upload([{ name: 'model.json', buffer: Buffer.from(JSON.stringify(keras)) }, { name: 'weights.bin', buffer: Buffer.alloc(16) }]);
  await expect(error).toContainText('format is "layers-model"');

  // Not JSON at all, and weights without their model.json.
  await upload([{ name: 'model.json', buffer: Buffer.from('{ not json') }]);
  await expect(error).toContainText('not valid JSON');
  await upload([{ name: 'weights.bin', buffer: weights }]);
  await expect(error).toContainText('model.json is missing');

  // Nothing changed: the shipped weights are still active and the policy still runs.
  await expect(page.getByTestId('weights-source')).toHaveAttribute('data-source', 'shipped');
  await expect(page.getByTestId('weights-hash')).toHaveText(HASH);
  await shortRuns(page, 8, 1);
  const reason = await runTiny(page, 5);
  expect(reason).not.toBe('');
  await expect(trajectory(page).getByTestId('turn-card')).toHaveCount(1);
});

test('fine-tune from scratch (small) in the UI: data and training progress, live loss, use the model; cancel works', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page);
  await page.getByTestId('tab-model').click();
  await page.getByTestId('sft-tasks').fill('4');
  await page.getByTestId('sft-steps').fill('30');
  await page.getByTestId('sft-start').click();
  await expect(page.getByTestId('sft-data-progress')).toBeVisible();
  await expect(page.getByTestId('sft-train-progress')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('sft-done')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('sft-step')).toHaveText('30');
  const points = Number(await page.getByTestId('loss-chart').getAttribute('data-points'));
  expect(points).toBeGreaterThan(1);
  expect(Number(await page.getByTestId('loss-chart').getAttribute('data-last-loss'))).toBeGreaterThan(0);
  await page.getByTestId('sft-use').click();
  await expect(page.getByTestId('weights-source')).toHaveAttribute('data-source', 'trained');
  await expect(page.getByTestId('weights-name')).toContainText('tiny-vlm-small-ui-sft');
  const trainedHash = await page.getByTestId('weights-hash').innerText();
  expect(trainedHash).not.toBe(HASH);

  // A long run, cancelled mid-training: the model in use stays the fine-tuned one.
  await page.getByTestId('sft-steps').fill('5000');
  await page.getByTestId('sft-start').click();
  await expect(page.getByTestId('sft-train-progress')).toBeVisible({ timeout: 90_000 });
  await expect.poll(async () => Number(await page.getByTestId('sft-step').innerText()), { timeout: 30_000 }).toBeGreaterThan(2);
  await page.getByTestId('sft-cancel').click();
  await expect(page.getByTestId('sft-cancelled')).toBeVisible();
  await expect(page.getByTestId('sft-panel')).toHaveAttribute('data-phase', 'cancelled');
  await expect(page.getByTestId('weights-hash')).toHaveText(trainedHash);

  // The fine-tuned (small) model runs as the playground policy.
  await shortRuns(page, 8, 1);
  await runTiny(page, 2);
  await expect(trajectory(page)).toContainText('policy tiny (tiny-vlm-small-ui-sft');
});
