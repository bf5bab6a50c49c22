/**
 * Junk answers are format errors in the UI too, in both error modes: `\boxed{</interpreter>}`
 * (the tiny policy's turn from issue 15) and `\boxed{.}` never end an episode DONE. The human
 * policy types them, so the test does not depend on what a model happens to generate; the rule
 * itself lives in the loop (src/agent/answerRules.ts) and covers every policy.
 */
import { expect, test } from '@playwright/test';
import { answerTurn, openPlayground, submitHumanTurn, trajectory, waitForEnd } from './playground';

const ISSUE_TURN = 'I can answer now.\n<answer>\n\\boxed{</interpreter>}\n</answer>';

test("feed-back mode: junk answers get the format reminder and the episode goes on", async ({ page }) => {
  const errors = await openPlayground(page);
  await page.getByTestId('policy-select').selectOption('human');
  await expect(page.getByTestId('error-mode-feed-back')).toBeChecked();
  await page.getByTestId('run-agent').click();

  const cards = trajectory(page).getByTestId('turn-card');
  await submitHumanTurn(page, ISSUE_TURN);
  await expect(cards.nth(0).getByTestId('turn-parse-error')).toContainText('protocol markup');
  await expect(cards.nth(0).getByTestId('turn-observation-text')).toContainText('No Python code or final answer found');
  await expect(cards.nth(0).getByTestId('turn-answer')).toHaveCount(0);

  await expect(page.getByTestId('human-composer')).toContainText('Your turn (2 of 30)');
  await submitHumanTurn(page, answerTurn('Then:', '.'));
  await expect(cards.nth(1).getByTestId('turn-parse-error')).toContainText('only punctuation');
  await expect(trajectory(page)).toHaveAttribute('data-end-reason', '');

  await expect(page.getByTestId('human-composer')).toContainText('Your turn (3 of 30)');
  await submitHumanTurn(page, answerTurn('A real answer:', 'circle'));
  expect(await waitForEnd(page)).toBe('DONE');
  await expect(cards).toHaveCount(3);
  expect(errors).toEqual([]);
});

test("end mode (RL training): a junk answer ends the episode ERROR_IN_ACTION", async ({ page }) => {
  const errors = await openPlayground(page);
  await page.getByTestId('policy-select').selectOption('human');
  await page.getByTestId('error-mode-end').check();
  await page.getByTestId('run-agent').click();

  await submitHumanTurn(page, ISSUE_TURN);
  expect(await waitForEnd(page)).toBe('ERROR_IN_ACTION');
  const card = trajectory(page).getByTestId('turn-card');
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId('turn-parse-error')).toContainText('protocol markup');
  await expect(page.getByTestId('end-summary')).toContainText('ERROR_IN_ACTION');
  expect(errors).toEqual([]);
});
