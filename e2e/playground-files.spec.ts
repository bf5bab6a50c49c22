import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { answerTurn, codeTurn, generateTask, openPlayground, submitHumanTurn, trajectory, waitForEnd } from './playground';

async function download(page: Page, testId: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFileSync((await file.path())!, 'utf8');
}

/** A short trajectory with one figure (so images round-trip too). */
async function makeTrajectory(page: Page): Promise<string> {
  await generateTask(page, 'visual-search', 11, 'large');
  await page.getByTestId('policy-select').selectOption('human');
  await page.getByTestId('run-agent').click();
  await submitHumanTurn(page, codeTurn('Look at a corner.', 'plt.imshow(image_clue_0.crop((0, 0, 64, 48)))\nplt.show()\nprint("shown")'));
  await expect(trajectory(page).getByTestId('figure-canvas')).toHaveCount(1, { timeout: 60_000 });
  await submitHumanTurn(page, answerTurn('Done.', 'green'));
  expect(await waitForEnd(page)).toBe('DONE');
  return (await trajectory(page).getAttribute('data-id'))!;
}

test('export a trajectory (record and OpenAI messages), import it back: the same trajectory', async ({ page }) => {
  const errors = await openPlayground(page);
  const id = await makeTrajectory(page);
  const record = await download(page, 'export-record');
  const exported = JSON.parse(record);
  expect(exported.format).toBe('pyvision-playground/trajectory');
  expect(exported.trajectory.id).toBe(id);
  expect(exported.trajectory.turns).toHaveLength(2);
  expect(exported.trajectory.images.length).toBeGreaterThanOrEqual(2);

  const messages = JSON.parse(await download(page, 'export-messages'));
  expect(messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant']);
  const imageParts = messages.flatMap((m: { content: Array<{ type: string }> }) => m.content.filter((p) => p.type === 'image_url'));
  expect(imageParts).toHaveLength(2);

  // Delete it here, then import the file: the same trajectory comes back.
  await page.locator(`[data-testid="run-item"][data-id="${id}"]`).getByRole('button', { name: /Delete/ }).click();
  await expect(page.getByTestId('run-item')).toHaveCount(0);
  await page.getByTestId('import-input').setInputFiles({ name: 'trajectory.json', mimeType: 'application/json', buffer: Buffer.from(record) });
  await expect(trajectory(page)).toHaveAttribute('data-id', id);
  await expect(trajectory(page).getByTestId('turn-card')).toHaveCount(2);
  await expect(trajectory(page).getByTestId('figure-canvas')).toHaveCount(1);
  await expect(trajectory(page)).toHaveAttribute('data-end-reason', 'DONE');
  const again = JSON.parse(await download(page, 'export-record'));
  expect(again).toEqual(exported);

  // The OpenAI messages file imports too (as a new trajectory with the same conversation).
  await page.getByTestId('import-input').setInputFiles({ name: 'messages.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(messages)) });
  await expect(page.getByTestId('run-item')).toHaveCount(2);
  await expect(trajectory(page).getByTestId('turn-card')).toHaveCount(2);
  await expect(trajectory(page).getByTestId('turn-answer')).toContainText('green');
  expect(errors).toEqual([]);
});

test('a malformed import shows a clear error and changes nothing', async ({ page }) => {
  await openPlayground(page);
  const id = await makeTrajectory(page);
  const items = page.getByTestId('run-item');
  await expect(items).toHaveCount(1);

  const bad = [
    { name: 'not-json.json', text: '{"format": "pyvision-playground/trajectory", "trajectory": ', expect: /not JSON/ },
    { name: 'wrong-shape.json', text: JSON.stringify({ format: 'pyvision-playground/trajectory', trajectory: { id: 3 } }), expect: /Invalid trajectory file/ },
    { name: 'bad-messages.json', text: JSON.stringify([{ role: 'wizard', content: 'hi' }]), expect: /Invalid messages file/ },
  ];
  for (const file of bad) {
    await page.getByTestId('import-input').setInputFiles({ name: file.name, mimeType: 'application/json', buffer: Buffer.from(file.text) });
    const error = page.getByTestId('import-error');
    await expect(error).toContainText(file.name);
    await expect(error).toContainText(file.expect);
    await expect(items).toHaveCount(1);
    await expect(trajectory(page)).toHaveAttribute('data-id', id);
    await expect(trajectory(page).getByTestId('turn-card')).toHaveCount(2);
  }
});
