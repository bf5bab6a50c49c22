import { expect, test } from '@playwright/test';
import { openApp, outputOf, runCode, setCode } from './helpers';

test('the default snippet crops the middle of image_clue_0 and shows it', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('image-name')).toHaveText('kingfisher.jpg');
  const results = page.getByTestId('run-result');
  await page.getByTestId('run-button').click();
  await expect(results).toHaveCount(1);
  await expect(results.first()).not.toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect(results.first()).toHaveAttribute('data-status', 'ok');
  expect(await outputOf(results.first())).toContain('crop size: (512, 288)');
  const canvas = results.first().getByTestId('figure-canvas');
  await expect(canvas).toHaveCount(1);
});

test('editor text, chosen sample and timeout survive a reload', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('sample-select').selectOption('nuthatch.jpg');
  await expect(page.getByTestId('image-name')).toHaveText('nuthatch.jpg');
  await setCode(page, 'print("kept", image_clue_0.size)');
  await page.getByTestId('timeout-input').fill('12.5');
  await page.getByTestId('timeout-input').press('Enter');

  await page.reload();
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('image-name')).toHaveText('nuthatch.jpg');
  await expect(page.getByTestId('sample-select')).toHaveValue('nuthatch.jpg');
  await expect(page.getByTestId('timeout-input')).toHaveValue('12.5');
  await expect(page.locator('[data-testid="code-editor"] .cm-content')).toContainText('print("kept", image_clue_0.size)');
  const result = await runCode(page, 'print("kept", image_clue_0.size)');
  expect(await outputOf(result)).toContain('kept (1024, 576)');
});
