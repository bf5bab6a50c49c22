/**
 * Every view at 1280×800 and 1920×1080, in a state with content (a trajectory in the
 * playground, a run with curves in Train (RL), output in the console): no control sticks out of
 * its panel, the page never scrolls sideways, nothing in the header is cut, badges neither wrap
 * nor touch their text, labels sit by their controls, legends show values (layoutCheck.ts), and
 * axe-core finds no serious or critical accessibility violation.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { M } from '../src/rl/metrics';
import { rlConfig } from '../src/rl/config';
import { layoutProblems } from './layoutCheck';
import { trajectory, waitForEnd } from './playground';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];

/** A small exported run (the format of app/rl/runFile.ts): 6 steps, no video task, big step times. */
function runFile(): string {
  const config = rlConfig({ preset: 'test' });
  const lines = Array.from({ length: 6 }, (_, step) =>
    JSON.stringify({
      step,
      [M.accuracy]: 0.25 + step * 0.1,
      [M.rewardMean]: 0.3 + step * 0.12,
      [M.toolCallsMean]: 1.5 - step * 0.1,
      [M.zeroToolShare]: step * 0.05,
      [M.turnsMean]: 2.5,
      [M.responseTokensMean]: 140 + step,
      [M.groupsKept]: 2,
      [M.filteredAllCorrect]: 1,
      [M.filteredAllWrong]: 0,
      [M.filteredBroken]: 0,
      [M.filteredNoImage]: 0,
      'end/DONE': 7,
      'end/EXCEED_MAX_TURNS': 1,
      'end/OVER_LENGTH': 0,
      'end/EXCEED_MAX_IMAGES': 0,
      'end/ERROR_IN_ACTION': 0,
      [M.loss]: -0.01 * step,
      [M.entropy]: 1.2,
      [M.gradNorm]: 0.8,
      [M.clipFraction]: 0.05,
      [M.approxKl]: 0.001,
      [M.klRef]: 0.002 * step,
      [M.correctNegativeShare]: 0.1,
      [M.videoVisualTokensMean]: null,
      [M.videoAccuracy]: null,
      [M.timeStep]: 123_456 + step * 1000,
      [M.timeRollout]: 98_765,
      [M.timeUpdate]: 21_000,
    }),
  );
  return JSON.stringify({
    format: 'pyvision-rl-run',
    version: 1,
    exportedAt: new Date(0).toISOString(),
    run: { id: 'layout-run', name: 'layout check run', createdAt: 0, status: 'done', step: 5, steps: config.steps, checkpointStep: null, config, weights: null },
    files: [
      { path: 'config.json', encoding: 'utf8', data: JSON.stringify({ config }) },
      { path: 'metrics.jsonl', encoding: 'utf8', data: lines.join('\n') + '\n' },
    ],
  });
}

async function check(page: Page, where: string): Promise<void> {
  expect.soft(await layoutProblems(page), `layout: ${where}`).toEqual([]);
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = axe.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(' | ')}`);
  expect.soft(bad, `axe: ${where}`).toEqual([]);
}

for (const size of SIZES) {
  test(`every view at ${size.width}×${size.height}: nothing overflows or is cut, and axe finds nothing serious`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.setViewportSize(size);
    await page.goto('/?backend=wasm');
    await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
    await expect(page.getByTestId('media-info')).toBeVisible();
    await check(page, 'playground on start');

    // A finished trajectory: turn cards with code, output and figures.
    await page.getByTestId('policy-select').selectOption('scripted');
    await page.getByTestId('run-agent').click();
    expect(await waitForEnd(page)).not.toBe('');
    await expect(trajectory(page).getByTestId('turn-code').first().locator('.cm-content')).toBeVisible();
    await check(page, 'playground with a trajectory');

    await page.getByTestId('tab-model').click();
    await expect(page.getByTestId('weights-hash')).toBeVisible();
    await check(page, 'model');

    await page.getByTestId('tab-rl').click();
    await expect(page.getByTestId('rl-view')).toHaveAttribute('data-ready', 'true');
    await check(page, 'train (RL), no run');
    await page.getByTestId('rl-import-input').setInputFiles({ name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(runFile()) });
    await expect(page.getByTestId('rl-metrics')).toHaveAttribute('data-steps', '6');
    await expect(page.getByTestId('rl-chart-accuracy')).toHaveAttribute('data-points', '6');
    // The run has no video task: the video chart says so instead of staying empty.
    await expect(page.getByTestId('rl-chart-video')).toContainText(/no video task/i);
    await check(page, 'train (RL) with a run');

    await page.getByTestId('tab-console').click();
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-result').first()).toHaveAttribute('data-status', 'ok', { timeout: 60_000 });
    await check(page, 'console with output');

    await page.getByTestId('tab-settings').click();
    await expect(page.getByTestId('backend-select')).toBeVisible();
    await check(page, 'settings');
  });
}
