import { basename, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { VideoDebugApi } from '../app/video/videoDebug';
import { openPlayground } from './playground';

/** Uploads (and their question) are kept in IndexedDB and come back after a reload. */
const IMAGE = resolve('e2e/fixtures/kingfisher.png'); // 451×300 RGB, CC0 (see e2e/fixtures/README.md)
const VIDEO = resolve('e2e/fixtures/pan-h264.mp4'); // CC-BY-4.0 (see e2e/fixtures/README.md)

/** The saved-uploads index as stored (what a reload reads). */
async function savedIndex(page: Page): Promise<Array<{ name: string; question: string; kind: string }>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('pyvision-playground');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('kv')) return resolve([]);
          const get = db.transaction('kv').objectStore('kv').get('media.saved.v1');
          get.onsuccess = () => resolve(get.result ?? []);
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

async function uploadAndAsk(page: Page, file: string, question: string) {
  await page.getByTestId('media-input').setInputFiles(file);
  await expect(page.getByTestId('media-name')).toHaveText(basename(file), { timeout: 30_000 });
  await page.getByTestId('question-input').fill(question);
  // Saved in the background; the question is debounced.
  await expect.poll(async () => (await savedIndex(page))[0]?.question).toBe(question);
}

async function reload(page: Page) {
  await page.reload();
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
}

test('an uploaded image and its question survive a reload', async ({ page }) => {
  const errors = await openPlayground(page);
  await uploadAndAsk(page, IMAGE, 'What animal is this?');
  await reload(page);
  const info = page.getByTestId('media-info');
  await expect(info).toHaveAttribute('data-source', 'image', { timeout: 30_000 });
  await expect(page.getByTestId('media-name')).toHaveText('kingfisher.png');
  await expect(info).toContainText('451×300 RGB');
  await expect(page.getByTestId('question-input')).toHaveValue('What animal is this?');
  await expect(page.getByTestId('saved-upload')).toHaveText(['kingfisher.png']);
  expect(errors).toEqual([]);
});

test('an uploaded video survives a reload, decoded by WebCodecs again, frames and question intact', async ({ page }) => {
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await page.goto('/?debug=video');
  await expect(page.getByTestId('media-info')).toBeVisible({ timeout: 60_000 });
  await uploadAndAsk(page, VIDEO, 'Where does the pan end?');
  const before = await page.evaluate(async () => (await (window.__pyvisionVideo as VideoDebugApi).frames('current', [0, 40, 74], { hash: true })).hashes);

  await page.reload();
  const meta = page.getByTestId('video-meta');
  await expect(meta).toHaveAttribute('data-decoder', 'webcodecs', { timeout: 30_000 });
  await expect(page.getByTestId('media-name')).toHaveText('pan-h264.mp4');
  await expect(meta).toHaveAttribute('data-frames', '75');
  await expect(meta).toHaveAttribute('data-fps', '25');
  await expect(page.getByTestId('question-input')).toHaveValue('Where does the pan end?');
  await page.waitForFunction(() => !!window.__pyvisionVideo?.current());
  const after = await page.evaluate(async () => (await (window.__pyvisionVideo as VideoDebugApi).frames('current', [0, 40, 74], { hash: true })).hashes);
  expect(after).toEqual(before);
});

test('the newest uploads are listed and reopen; a generated task is what a reload shows after one; forget clears them', async ({ page }) => {
  await openPlayground(page);
  await uploadAndAsk(page, IMAGE, 'Is it a cat?');
  await uploadAndAsk(page, VIDEO, 'Does it pan down?');
  await expect(page.getByTestId('saved-upload')).toHaveText(['pan-h264.mp4', 'kingfisher.png']);

  // Reopen the older one: the image with its own question.
  await page.getByTestId('saved-upload').filter({ hasText: 'kingfisher.png' }).click();
  await expect(page.getByTestId('media-info')).toHaveAttribute('data-source', 'image');
  await expect(page.getByTestId('question-input')).toHaveValue('Is it a cat?');
  await expect(page.getByTestId('saved-upload')).toHaveText(['kingfisher.png', 'pan-h264.mp4']);

  // Back to a generated task: a reload shows a generated task, and the uploads stay listed.
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('media-info')).toHaveAttribute('data-source', 'generated');
  await reload(page);
  await expect(page.getByTestId('media-info')).toHaveAttribute('data-source', 'generated');
  await expect(page.getByTestId('saved-upload')).toHaveCount(2);

  // Forget them: nothing is listed or stored, and a reload stays on a generated task.
  await page.getByTestId('saved-upload').first().click();
  await expect(page.getByTestId('media-info')).toHaveAttribute('data-source', 'image');
  await page.getByTestId('forget-uploads').click();
  await expect(page.getByTestId('saved-uploads')).toHaveCount(0);
  expect(await savedIndex(page)).toEqual([]);
  await reload(page);
  await expect(page.getByTestId('media-info')).toHaveAttribute('data-source', 'generated');
});
