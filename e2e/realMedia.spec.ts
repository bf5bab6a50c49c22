/**
 * The playground on real media with the default (tiny) policy: a sample photo and the sample
 * clip, one click each, answered through the tools (detector in the page's perception worker,
 * WebCodecs frames for the clip), nothing leaving the origin; an upload survives a reload.
 */
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openPlayground, trajectory, waitForEnd } from './playground';

function foreignRequests(page: Page): string[] {
  const foreign: string[] = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('http://127.0.0.1') && !u.startsWith('blob:') && !u.startsWith('data:')) foreign.push(u);
  });
  return foreign;
}

async function runDefault(page: Page, sampleFile: string, question: string, timeout = 150_000): Promise<string> {
  await page.getByTestId('sample-media').and(page.locator(`[data-file="${sampleFile}"]`)).click();
  await expect(page.getByTestId('media-name')).toHaveText(sampleFile, { timeout: 30_000 });
  await expect(page.getByTestId('question-input')).toHaveValue(question);
  await expect(page.getByTestId('policy-select')).toHaveValue('tiny');
  await page.getByTestId('run-agent').click();
  expect(await waitForEnd(page, timeout)).toBe('DONE');
  return (await trajectory(page).getByTestId('turn-answer').last().innerText()).trim();
}

test('a real photo: one click on a sample, the default tiny policy calls the detector and answers right', async ({ page }) => {
  const foreign = foreignRequests(page);
  const errors = await openPlayground(page);
  const answer = await runDefault(page, 'kingfisher.jpg', 'Which animal is in the picture?');
  expect(answer).toMatch(/\bbird\b/);
  // It used a tool, and the card shows what the tool saw: the printout and the labelled figure.
  const first = trajectory(page).getByTestId('turn-card').first();
  await expect(first.getByTestId('turn-output')).toContainText('object=bird');
  await expect(first.getByTestId('figure-canvas').or(first.locator('canvas'))).not.toHaveCount(0);
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});

test('a real MP4: the question about the clip completes without a timeout and answers in order', async ({ page }) => {
  const foreign = foreignRequests(page);
  const errors = await openPlayground(page);
  const answer = await runDefault(page, 'bird-then-sheep.mp4', 'What appears first, the bird or the sheep?', 180_000);
  expect(answer).toMatch(/\bbird\b/);
  await expect(trajectory(page).getByTestId('turn-card').first().getByTestId('turn-output')).toContainText('first object=bird');
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});

test('an uploaded real photo and its question survive a reload', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('media-input').setInputFiles(resolve('e2e/fixtures/two-dogs.jpg'));
  await expect(page.getByTestId('media-name')).toHaveText('two-dogs.jpg');
  await page.getByTestId('question-input').fill('How many dogs are there?');
  await page.waitForTimeout(600); // the question is saved debounced
  await page.reload();
  await expect(page.getByTestId('media-name')).toHaveText('two-dogs.jpg', { timeout: 60_000 });
  await expect(page.getByTestId('question-input')).toHaveValue('How many dogs are there?');
});
