import { expect, test } from '@playwright/test';
import { generateTask, openPlayground, trajectory, waitForEnd } from './playground';

test('generate a visual-search task and run the scripted expert to DONE, with figures', async ({ page }) => {
  const errors = await openPlayground(page);
  const taskId = await generateTask(page, 'visual-search', 7, 'small');
  await expect(page.getByTestId('media-canvas')).toBeVisible();
  // The question box is prefilled from the task.
  await expect(page.getByTestId('question-input')).not.toHaveValue('');
  await page.getByTestId('policy-select').selectOption('scripted');
  await page.getByTestId('run-agent').click();

  expect(await waitForEnd(page)).toBe('DONE');
  const t = trajectory(page);
  await expect(t.getByTestId('trajectory-question')).toHaveText(await page.getByTestId('question-input').inputValue());
  const cards = t.getByTestId('turn-card');
  expect(await cards.count()).toBeGreaterThanOrEqual(2);
  // Tool use: highlighted code in the first turn, and at least one figure in the trajectory.
  await expect(cards.first().getByTestId('turn-code').locator('.cm-content')).not.toBeEmpty();
  await expect(t.getByTestId('figure-canvas').first()).toBeVisible();
  expect(await t.getByTestId('figure-canvas').first().evaluate((c: HTMLCanvasElement) => c.width * c.height)).toBeGreaterThan(0);
  await expect(cards.first().getByTestId('turn-timings')).toContainText(/generated in .* · ran in/);
  await expect(cards.first().getByTestId('turn-tokens')).toContainText(/visual tokens/);

  // The end: reason, reward parts and the ground truth.
  await expect(t.getByTestId('end-reason')).toHaveText('DONE');
  await expect(t.getByTestId('reward-accuracy')).toHaveText('1');
  const toolCalls = Number(await t.getByTestId('reward-tool-calls').innerText());
  expect(toolCalls).toBeGreaterThanOrEqual(1);
  await expect(t.getByTestId('reward-bonus')).toHaveText(String(Number((0.1 * toolCalls).toFixed(4))));
  await expect(t.getByTestId('reward-total')).toHaveText(String(Number((1 + 0.1 * toolCalls).toFixed(4))));
  await expect(t.getByTestId('ground-truth')).not.toBeEmpty();
  await expect(t.getByTestId('turn-answer')).toContainText(await t.getByTestId('ground-truth').innerText());
  await expect(page.locator('[data-testid="run-item"]')).toContainText(taskId);
  expect(errors).toEqual([]);
});

test('Step runs one turn at a time; Stop cancels the run', async ({ page }) => {
  await openPlayground(page);
  await generateTask(page, 'counting', 4);
  await page.getByTestId('policy-select').selectOption('scripted');
  await page.getByTestId('step-agent').click();
  const t = trajectory(page);
  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-phase', 'paused', { timeout: 60_000 });
  await expect(t.getByTestId('turn-card')).toHaveCount(1);
  await expect(t).toHaveAttribute('data-end-reason', '');
  await expect(page.getByTestId('step-agent')).toHaveText('Next step');
  await page.getByTestId('stop-agent').click();
  await expect(t).toHaveAttribute('data-end-reason', 'CANCELLED');
  await expect(t.getByTestId('turn-card')).toHaveCount(1);
  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-phase', 'idle');
});

test('the turn budget and the error switch are visible and used by the run', async ({ page }) => {
  await openPlayground(page);
  await expect(page.getByTestId('max-turns-input')).toHaveValue('30');
  await expect(page.getByTestId('error-mode-feed-back')).toBeChecked();
  await page.getByTestId('max-turns-input').fill('1');
  await page.getByTestId('max-turns-input').press('Enter');
  await page.getByTestId('error-mode-end').check();
  await generateTask(page, 'visual-search', 7, 'small');
  await page.getByTestId('policy-select').selectOption('scripted');
  await page.getByTestId('run-agent').click();
  const reason = await waitForEnd(page);
  // One turn: a tool call uses up the budget before the answer.
  expect(['EXCEED_MAX_TURNS', 'DONE']).toContain(reason);
  await expect(trajectory(page).getByTestId('turn-card')).toHaveCount(1);
  await expect(trajectory(page)).toContainText('budget 1 turns');
  await expect(trajectory(page)).toContainText('errors end the episode');
  // Settings survive a reload, and so does the trajectory once it is saved (IndexedDB).
  await expect(page.getByTestId('run-item')).toHaveAttribute('data-saved', 'true', { timeout: 30_000 });
  await page.reload();
  await expect(page.getByTestId('max-turns-input')).toHaveValue('1');
  await expect(page.getByTestId('error-mode-end')).toBeChecked();
  await expect(page.getByTestId('policy-select')).toHaveValue('scripted');
  // …and so does the last trajectory (IndexedDB).
  await expect(page.getByTestId('run-item')).toHaveCount(1, { timeout: 30_000 });
  await expect(trajectory(page)).toHaveAttribute('data-end-reason', reason);
});
