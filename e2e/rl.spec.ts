import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

/**
 * RL in the browser (issue 5 §3): start a small GRPO run (the worker trains the page's active
 * weights, whatever they are, on WASM), see the charts move, pause, reload, resume from the
 * checkpoint, inspect a group; export the run, refuse a malformed file without changing
 * anything, import the export. Tiny numbers: 1 prompt × G=2 per step, 8 tokens per turn.
 */

async function open(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto('/?backend=wasm#rl');
  await expect(page.getByTestId('rl-view')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  return errors;
}

async function setNumber(page: Page, id: string, value: number): Promise<void> {
  const input = page.getByTestId(`rl-${id}`);
  await input.fill(String(value));
  await expect(input).toHaveValue(String(value));
}

/** Enough steps that the run is still going when Pause is clicked (a step takes a second or so). */
const STEPS = 8;

const points = async (page: Page, chart: string) => Number(await page.getByTestId(`rl-chart-${chart}`).getAttribute('data-points'));

test('a small RL run: charts move, pause, reload, resume from the checkpoint, inspect a group, export and import', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await open(page);
  await page.getByTestId('rl-preset').selectOption('test');
  await setNumber(page, 'steps', STEPS);
  await setNumber(page, 'promptsPerStep', 1);
  await setNumber(page, 'oversample', 1);
  await setNumber(page, 'groupSize', 2);
  await setNumber(page, 'maxNewTokens', 8);
  await setNumber(page, 'maxTurns', 2);
  await page.getByTestId('rl-start').click();

  // Live: the progress bar, then the charts gain points step by step.
  await expect(page.getByTestId('rl-progress')).toBeVisible();
  await expect.poll(() => points(page, 'accuracy'), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  await page.getByTestId('rl-pause').click();
  await expect(page.getByTestId('rl-controls')).toHaveAttribute('data-phase', 'paused', { timeout: 120_000 });
  const logged = await points(page, 'accuracy');
  expect(logged).toBeGreaterThanOrEqual(1);
  expect(logged).toBeLessThan(STEPS);
  await expect(page.getByTestId('rl-run')).toHaveAttribute('data-status', 'paused');

  // Reload: the run, its curves and its checkpoint are all still there.
  await page.reload();
  await expect(page.getByTestId('rl-view')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('rl-run')).toHaveAttribute('data-status', 'paused');
  await expect.poll(() => points(page, 'accuracy')).toBe(logged);
  await page.getByTestId('rl-resume').click();
  await expect(page.getByTestId('rl-run')).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect.poll(() => points(page, 'accuracy')).toBe(STEPS);
  await expect(page.getByTestId('rl-metrics')).toHaveAttribute('data-steps', String(STEPS));

  // Inspect a group of step 1: its rollouts, advantages and fate, and the advantage-coloured tokens.
  const slider = page.getByTestId('rl-step-slider');
  await slider.focus();
  await slider.press('Home');
  await expect(page.getByTestId('rl-inspect-step')).toHaveText('1');
  await page.getByTestId('rl-group').first().click();
  await expect(page.getByTestId('rl-group-fate')).not.toBeEmpty();
  await expect(page.getByTestId('rl-member')).toHaveCount(2);
  await expect(page.getByTestId('adv-tokens')).toBeVisible();

  // Export, then a malformed import changes nothing, then the export imports as a new run.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rl-export').first().click()]);
  const exported = readFileSync((await download.path())!, 'utf8');
  expect(JSON.parse(exported).format).toBe('pyvision-rl-run');
  const input = page.getByTestId('rl-import-input');
  const broken = JSON.parse(exported) as { files: Array<{ path: string }> };
  broken.files = broken.files.filter((f) => !f.path.endsWith('weights.bin'));
  await input.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
  await expect(page.getByTestId('rl-error')).toContainText('nothing was changed');
  await expect(page.getByTestId('rl-error')).toContainText('weights.bin');
  await expect(page.getByTestId('rl-run')).toHaveCount(1);
  await input.setInputFiles({ name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
  await expect(page.getByTestId('rl-notice')).toContainText('Imported');
  await expect(page.getByTestId('rl-run')).toHaveCount(2);
  await expect(page.getByTestId('rl-metrics')).toHaveAttribute('data-steps', String(STEPS));
  expect(errors, 'uncaught page errors').toEqual([]);
});

test('the collapse demo trains two arms side by side; runs compare and delete', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = await open(page);
  page.on('dialog', (d) => void d.accept());
  await page.getByTestId('rl-preset').selectOption('test');
  await setNumber(page, 'steps', 2);
  await setNumber(page, 'promptsPerStep', 1);
  await setNumber(page, 'oversample', 1);
  await setNumber(page, 'groupSize', 2);
  await setNumber(page, 'maxNewTokens', 8);
  await setNumber(page, 'maxTurns', 2);
  await page.getByTestId('rl-collapse-start-form').click();
  await expect(page.getByTestId('rl-progress')).toBeVisible();
  // The page stays usable while the worker trains: switch views and come back.
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('tab-rl').click();
  const runs = page.getByTestId('rl-run');
  await expect(runs).toHaveCount(2);
  await expect(runs.nth(0)).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(runs.nth(1)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(runs.nth(0)).toContainText('tool reward 0.1');
  await expect(runs.nth(1)).toContainText('tool reward 0 ');
  const table = page.getByTestId('rl-collapse-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect.poll(async () => Number(await page.getByTestId('rl-collapse-accuracy').getAttribute('data-points'))).toBe(2);

  // Compare the two arms' curves on the same charts, then delete one run.
  await page.getByTestId('rl-compare').selectOption({ index: 1 });
  await expect(page.locator('#rl-metrics-heading')).toContainText('dashed');
  await runs.nth(1).getByTestId('rl-delete').click();
  await expect(runs).toHaveCount(1);
  expect(errors, 'uncaught page errors').toEqual([]);
});

test('one click starts the collapse demo as npm run demo:collapse does: its start weights and preset, both arms, live curves; Stop works; the weights survive a reload', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await open(page);
  const hashOf = (name: string) =>
    (JSON.parse(readFileSync(`public/models/${name}/model.json`, 'utf8')) as { userDefinedMetadata: { contentHash: string } }).userDefinedMetadata.contentHash;
  const start = hashOf('collapse-start');
  expect(start).not.toBe(hashOf('tiny'));
  await expect(page.getByTestId('model-current')).toHaveAttribute('title', new RegExp(hashOf('tiny')));
  // The recorded run (public/demo/collapse-recording.json) is drawn at once, faded behind the live
  // curves, before anything is started: a fresh page has no run and no live point.
  const recordedSteps = String((JSON.parse(readFileSync('public/demo/collapse-recording.json', 'utf8')) as { settings: { steps: number } }).settings.steps);
  const accuracy = page.getByTestId('rl-collapse-accuracy');
  await expect(page.getByTestId('rl-collapse-recorded')).toHaveAttribute('data-steps', recordedSteps, { timeout: 5_000 });
  await expect(accuracy).toHaveAttribute('data-recorded', recordedSteps, { timeout: 5_000 });
  await expect(accuracy).toHaveAttribute('data-points', '0');
  await expect(page.getByTestId('rl-collapse-accuracy-chart')).toHaveAttribute('aria-label', /A, recorded: \d.*B, recorded: \d/);
  await expect(accuracy.locator('canvas').first()).toBeVisible();
  await expect(page.getByTestId('rl-run')).toHaveCount(0);
  // No set-up step: the one button loads the demo's weights and preset, says so, and starts.
  await page.getByTestId('rl-collapse-start').click();
  await expect(page.getByTestId('model-current')).toHaveAttribute('title', new RegExp(start), { timeout: 60_000 });
  await expect(page.getByTestId('rl-preset')).toHaveValue('collapse');
  await expect(page.getByTestId('rl-toolFailureRate')).not.toHaveValue('0');
  await expect(page.getByTestId('rl-collapse-loaded')).toContainText(start.slice(0, 12));
  await expect(page.getByTestId('rl-progress')).toBeVisible();
  const runs = page.getByTestId('rl-run');
  await expect(runs).toHaveCount(2);
  await expect(runs.nth(0)).toContainText('tool reward 0.1');
  // The live curves move (a collapse-preset step of each arm: the report needs both), then Stop ends both arms.
  await expect.poll(async () => Number(await page.getByTestId('rl-collapse-accuracy').getAttribute('data-points')), { timeout: 200_000 }).toBeGreaterThan(0);
  await expect(accuracy).toHaveAttribute('data-recorded', recordedSteps);
  await expect(page.getByTestId('rl-collapse-report')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('rl-stop').click();
  await expect(page.getByTestId('rl-progress')).toBeHidden({ timeout: 60_000 });
  for (const i of [0, 1]) await expect(runs.nth(i)).not.toHaveAttribute('data-status', 'running');
  // The classroom report: one HTML file that opens on its own (no request) with its curves and settings.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rl-collapse-report').click()]);
  expect(download.suggestedFilename()).toMatch(/^collapse-demo-seed-\d+\.html$/);
  const html = readFileSync((await download.path())!, 'utf8');
  const report = await page.context().newPage();
  const requests: string[] = [];
  report.on('request', (r) => requests.push(r.url()));
  await report.setContent(html);
  await expect(report.locator('h1')).toHaveText(/Interaction collapse/);
  await expect(report.locator('figure[data-role="curves"] svg polyline, figure[data-role="curves"] svg circle').first()).toBeAttached();
  await expect(report.getByText(start.slice(0, 12))).toBeVisible();
  expect(requests.filter((u) => !u.startsWith('data:'))).toEqual([]);
  await report.close();
  // The choice of weights survives a reload; the shipped policy is one click away.
  await page.reload();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-current')).toHaveAttribute('title', new RegExp(start));
  await page.getByTestId('tab-model').click();
  await page.getByTestId('load-shipped').click();
  await expect(page.getByTestId('model-current')).toHaveAttribute('title', new RegExp(hashOf('tiny')), { timeout: 60_000 });
  expect(errors, 'uncaught page errors').toEqual([]);
});
