import { expect, test } from '@playwright/test';
import { generateTask, waitForEnd } from './playground';

/**
 * A lost GPU device in the page: the tiny policy runs on WebGPU (forced; here Chromium's
 * software adapter, a CPU emulation: runs are kept to one short answer turn, and the test gets
 * more time than most), the device is destroyed through the `?debug=gpu` hook, and the next run
 * still answers: the model moved to another backend, and the header says the GPU was lost.
 */
test('a lost WebGPU device: generation moves to another backend, the header says so, the episode answers', async ({ page }) => {
  test.setTimeout(420_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto('/?backend=webgpu&debug=gpu');
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-backend')).toHaveAttribute('data-backend', 'webgpu');
  // One turn (the answer) of at most 24 tokens per run.
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('gen-maxNewTokens').fill('24');
  await page.getByTestId('gen-maxNewTokens').press('Enter');
  await expect(page.getByTestId('gen-maxNewTokens')).toHaveValue('24');
  await page.getByTestId('tab-playground').click();
  await page.getByTestId('max-turns-input').fill('1');
  await page.getByTestId('max-turns-input').press('Enter');

  await generateTask(page, 'visual-search', 2);
  await page.getByTestId('run-agent').click();
  expect(await waitForEnd(page, 240_000)).toBe('DONE');
  await expect(page.getByTestId('model-backend-lost')).toHaveCount(0);

  await expect.poll(() => page.evaluate(() => (window as unknown as { __pvGpuDebug?: unknown }).__pvGpuDebug !== undefined)).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { __pvGpuDebug: { destroyDevice(): boolean } }).__pvGpuDebug.destroyDevice())).toBe(true);

  await generateTask(page, 'visual-search', 3);
  await page.getByTestId('run-agent').click();
  expect(await waitForEnd(page, 120_000)).toBe('DONE');
  await expect(page.getByTestId('model-backend-lost')).toBeVisible();
  await expect(page.getByTestId('model-backend-lost')).toHaveAttribute('title', /GPU device was lost/);
  await expect(page.getByTestId('model-backend')).not.toHaveAttribute('data-backend', 'webgpu');
  await expect(page.getByTestId('trajectory')).not.toContainText('failed:');
  expect(errors).toEqual([]);
});
