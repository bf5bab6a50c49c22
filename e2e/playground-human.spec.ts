import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { answerTurn, codeTurn, openPlayground, submitHumanTurn, trajectory, turnOutput, waitForEnd } from './playground';

const IMAGE = resolve('e2e/fixtures/kingfisher.png'); // 451×300 RGB, CC0 (see e2e/fixtures/README.md)

test('upload an image and play the agent: a code turn gives an observation, then an answer ends it', async ({ page }) => {
  const errors = await openPlayground(page);
  await page.getByTestId('media-input').setInputFiles(IMAGE);
  const info = page.getByTestId('media-info');
  await expect(info).toHaveAttribute('data-source', 'image');
  await expect(page.getByTestId('media-name')).toHaveText('kingfisher.png');
  await expect(info).toContainText('451×300');

  await page.getByTestId('question-input').fill('How wide is the image, in pixels?');
  await page.getByTestId('policy-select').selectOption('human');
  await page.getByTestId('run-agent').click();

  // Turn 1: the helper inserts a code block template; we write our own turn instead.
  await expect(page.getByTestId('human-composer')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('insert-code-block').click();
  await expect(page.getByTestId('human-text')).toHaveValue(/<code>\n```python\n[\s\S]*\n```\n<\/code>/);
  const code = ['crop = image_clue_0.crop((10, 20, 130, 100))', 'print("size", image_clue_0.size)', 'plt.imshow(crop)', 'plt.show()'].join('\n');
  await submitHumanTurn(page, codeTurn('Let me check the size and look at the top-left corner.', code));

  const t = trajectory(page);
  const first = t.getByTestId('turn-card').first();
  await expect(first.getByTestId('turn-observation')).toBeVisible({ timeout: 60_000 });
  expect(await turnOutput(first)).toContain('size (451, 300)');
  await expect(first.getByTestId('turn-code')).toContainText('image_clue_0.crop');
  const figure = first.getByTestId('figure-canvas');
  await expect(figure).toHaveCount(1);
  expect(await figure.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([120, 80]);
  await expect(first.getByTestId('turn-tokens')).toContainText(/\d+ text tokens · \d+ visual tokens/);

  // Click to enlarge; Esc closes.
  await figure.click();
  await expect(first.getByTestId('figure-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(first.getByTestId('figure-dialog')).toBeHidden();

  // Turn 2: the answer, with the answer helper.
  await expect(page.getByTestId('human-composer')).toContainText('Your turn (2 of 30)');
  await page.getByTestId('insert-answer-block').click();
  await expect(page.getByTestId('human-text')).toHaveValue(/<answer>\n\\boxed\{\}\n<\/answer>/);
  await submitHumanTurn(page, answerTurn('The printed size says it.', '451'));

  expect(await waitForEnd(page)).toBe('DONE');
  await expect(t.getByTestId('turn-card')).toHaveCount(2);
  await expect(t.getByTestId('turn-answer')).toContainText('451');
  await expect(t.getByTestId('end-summary')).toContainText('No known answer');
  await expect(page.getByTestId('human-composer')).toHaveCount(0);
  expect(errors).toEqual([]);
});
