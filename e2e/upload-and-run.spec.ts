import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { decode } from 'fast-png';
import { openApp, outputOf, runCode } from './helpers';

const FIXTURE = resolve('e2e/fixtures/kingfisher.png'); // 451×300 RGB, CC0 (see e2e/fixtures/README.md)

/** Reference pixel straight from the PNG file (Node decoder), to check the page's decoding. */
function referencePixel(x: number, y: number): [number, number, number] {
  const png = decode(readFileSync(FIXTURE));
  const c = png.channels;
  const i = (y * png.width + x) * c;
  return [Number(png.data[i]), Number(png.data[i + 1]), Number(png.data[i + 2])];
}

test('upload an image, crop it in Python, see the printed size and the figure', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('image-input').setInputFiles(FIXTURE);
  await expect(page.getByTestId('image-name')).toHaveText('kingfisher.png');
  await expect(page.getByTestId('image-info')).toContainText('451×300');

  const code = [
    'import matplotlib.pyplot as plt',
    'print("input", image_clue_0.size)',
    'crop = image_clue_0.crop((10, 20, 130, 100))',
    'print("crop size", crop.size)',
    'print("pixel", tuple(crop.getpixel((0, 0)))[:3])',
    'plt.imshow(crop)',
    'plt.show()',
  ].join('\n');
  const result = await runCode(page, code);
  await expect(result).toHaveAttribute('data-status', 'ok');
  const out = await outputOf(result);
  expect(out).toContain('input (451, 300)');
  expect(out).toContain('crop size (120, 80)');
  const [r, g, b] = referencePixel(10, 20);
  expect(out).toContain(`pixel (${r}, ${g}, ${b})`);

  const canvas = result.getByTestId('figure-canvas');
  await expect(canvas).toHaveCount(1);
  expect(await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([120, 80]);
  await expect(result.getByTestId('run-wall-time')).toBeVisible();

  // Click to enlarge; Escape closes.
  await canvas.click();
  await expect(result.getByTestId('figure-dialog')).toBeVisible();
  await expect(result.getByTestId('figure-large')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(result.getByTestId('figure-dialog')).toBeHidden();

  // Variables persist across runs (same session), and Ctrl/Cmd+Enter runs too.
  const again = await runCode(page, 'print("again", crop.size)', { via: 'keyboard' });
  await expect(again).toHaveAttribute('data-status', 'ok');
  expect(await outputOf(again)).toContain('again (120, 80)');

  // Reset session clears variables and re-binds image_clue_0.
  await page.getByTestId('reset-session').click();
  await expect(page.getByTestId('log-note').last()).toContainText('Session reset');
  const afterReset = await runCode(page, 'print("crop" in globals(), image_clue_0.size)');
  expect(await outputOf(afterReset)).toContain('False (451, 300)');
});

test('a corrupt file shows a clear error and loses nothing; oversized images are downscaled with a notice', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('image-input').setInputFiles(FIXTURE);
  await expect(page.getByTestId('image-name')).toHaveText('kingfisher.png');

  await page.getByTestId('image-input').setInputFiles({
    name: 'broken.png',
    mimeType: 'image/png',
    buffer: Buffer.from('\x89PNG\r\n\x1a\nthis is not really a PNG file'),
  });
  await expect(page.getByTestId('image-error')).toContainText('broken.png');
  await expect(page.getByTestId('image-error')).toContainText(/corrupt|decode/i);
  await expect(page.getByTestId('image-name')).toHaveText('kingfisher.png');
  const still = await runCode(page, 'print(image_clue_0.size)');
  expect(await outputOf(still)).toContain('(451, 300)');

  // A 5000×40 PNG made in the page: the longest side is brought down to 4096.
  const bytes = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(5000, 40);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#3366cc';
    ctx.fillRect(0, 0, 5000, 40);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  });
  await page.getByTestId('image-input').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: Buffer.from(bytes) });
  await expect(page.getByTestId('image-name')).toHaveText('wide.png');
  await expect(page.getByTestId('image-notice')).toContainText('5000×40');
  await expect(page.getByTestId('image-info')).toContainText('4096×33');
  await expect(page.getByTestId('image-error')).toHaveCount(0);
  const wide = await runCode(page, 'print(image_clue_0.size)');
  await expect(wide.getByTestId('fresh-session')).toBeVisible();
  expect(await outputOf(wide)).toContain('(4096, 33)');
});
