/**
 * The vision tools in the browser: the detector and OCR run in the page's perception worker
 * (models served from the app's own origin), called synchronously from Python.
 */
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { openApp, outputOf, runCode } from './helpers';

test('detect() finds both dogs in a real photo and shows labelled boxes; no request leaves the origin', async ({ page }) => {
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1') && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) foreign.push(r.url());
  });
  await openApp(page);
  await page.getByTestId('image-input').setInputFiles(resolve('e2e/fixtures/two-dogs.jpg'));
  await expect(page.getByTestId('image-name')).toHaveText('two-dogs.jpg');
  const result = await runCode(page, 'found = detect(image_clue_0)\nprint(sorted(f.object for f in found))', { timeout: 90_000 });
  await expect(result).toHaveAttribute('data-status', 'ok');
  const out = await outputOf(result);
  expect(out).toMatch(/^ {2}object=dog colour=brown /m);
  expect(out).toContain("['dog', 'dog']");
  await expect(result.getByTestId('figure-canvas')).toHaveCount(1);

  const missing = await runCode(page, 'find(image_clue_0, "a giraffe")');
  expect(await outputOf(missing)).toContain('found=no');
  expect(foreign).toEqual([]);
});

test('read_text() reads a printed sign through Tesseract in the browser', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('image-input').setInputFiles(resolve('e2e/fixtures/text-sign.png'));
  await expect(page.getByTestId('image-name')).toHaveText('text-sign.png');
  const result = await runCode(page, 'read_text(image_clue_0)', { timeout: 90_000 });
  await expect(result).toHaveAttribute('data-status', 'ok');
  expect(await outputOf(result)).toContain('text=FRESH BREAD');
});
