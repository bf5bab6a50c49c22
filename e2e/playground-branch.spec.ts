import { expect, test } from '@playwright/test';
import { answerTurn, codeTurn, fillCodeMirror, generateTask, openPlayground, submitHumanTurn, trajectory, turnOutput, waitForEnd } from './playground';

test('edit turn 1 and re-run: a new branch that differs from turn 1 on; the original stays', async ({ page }) => {
  const errors = await openPlayground(page);
  await generateTask(page, 'visual-search', 3, 'large');
  await page.getByTestId('policy-select').selectOption('human');
  await page.getByTestId('run-agent').click();
  await submitHumanTurn(page, codeTurn('First, the size.', 'w, h = image_clue_0.size\nprint("original", w, h)'));
  await expect(trajectory(page).getByTestId('turn-card')).toHaveCount(1);
  await submitHumanTurn(page, answerTurn('Guessing.', 'red'));
  expect(await waitForEnd(page)).toBe('DONE');
  const original = trajectory(page);
  const originalId = (await original.getAttribute('data-id'))!;
  const originalOut = await turnOutput(original.getByTestId('turn-card').first());
  expect(originalOut).toMatch(/^original \d+ \d+/);

  // Edit turn 1's code and re-run from there.
  const card = original.getByTestId('turn-card').first();
  await card.getByTestId('edit-turn').click();
  await fillCodeMirror(page, card.getByTestId('edit-code'), 'w, h = image_clue_0.size\nprint("edited", w * h)');
  await card.getByTestId('rerun-from-turn').click();

  // The branch is selected; its turn 1 ran the edited code; the human continues it.
  const branch = trajectory(page);
  await expect(branch).not.toHaveAttribute('data-id', originalId);
  const branchId = (await branch.getAttribute('data-id'))!;
  const branchFirst = branch.getByTestId('turn-card').first();
  await expect(branchFirst.getByTestId('turn-observation')).toBeVisible({ timeout: 60_000 });
  expect(await turnOutput(branchFirst)).toMatch(/^edited \d+/);
  await expect(branchFirst.getByTestId('first-diff-marker')).toBeVisible();
  await expect(branch.getByTestId('first-diff-turn')).toHaveText('1');
  await expect(branch.getByTestId('diff-line').and(page.locator('[data-op="del"]'))).toContainText('print("original", w, h)');
  await expect(branch.getByTestId('diff-line').and(page.locator('[data-op="add"]'))).toContainText('print("edited", w * h)');
  await submitHumanTurn(page, answerTurn('Now sure.', 'blue'));
  expect(await waitForEnd(page)).toBe('DONE');

  // The switcher shows the branch under its parent.
  const items = page.getByTestId('run-item');
  await expect(items).toHaveCount(2);
  await expect(page.locator(`[data-testid="run-item"][data-id="${branchId}"]`)).toHaveAttribute('data-branch-of', originalId);
  await expect(page.locator(`[data-testid="run-item"][data-id="${branchId}"]`)).toHaveAttribute('data-depth', '1');

  // Switch back: the original is unchanged.
  await page.locator(`[data-testid="run-item"][data-id="${originalId}"] >> [data-testid="run-select"]`).first().click();
  await expect(trajectory(page)).toHaveAttribute('data-id', originalId);
  expect(await turnOutput(trajectory(page).getByTestId('turn-card').first())).toBe(originalOut);
  await expect(trajectory(page).getByTestId('turn-answer')).toContainText('red');
  await expect(trajectory(page).getByTestId('branch-diff')).toHaveCount(0);
  expect(errors).toEqual([]);
});
