import { expect, type Locator, type Page } from '@playwright/test';

/** Open the playground (the main view) and wait until Python is ready and a task is shown. */
export async function openPlayground(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto('/');
  await expect(page.getByTestId('tab-playground')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('media-info')).toBeVisible();
  return errors;
}

/** Generate a task of `family` with `seed` (and a difficulty bucket where it applies). */
export async function generateTask(page: Page, family: string, seed: number, difficulty?: string): Promise<string> {
  await page.getByTestId('gen-family').selectOption(family);
  await page.getByTestId('gen-seed').fill(String(seed));
  if (difficulty) await page.getByTestId('gen-difficulty').selectOption(difficulty);
  await page.getByTestId('generate-button').click();
  const info = page.getByTestId('media-info');
  await expect(info).toHaveAttribute('data-source', 'generated');
  await expect(info).toHaveAttribute('data-task-id', new RegExp(family));
  return (await info.getAttribute('data-task-id'))!;
}

export function trajectory(page: Page): Locator {
  return page.getByTestId('trajectory');
}

/** Wait until the shown trajectory has ended; returns its end reason. */
export async function waitForEnd(page: Page, timeout = 90_000): Promise<string> {
  await expect(trajectory(page)).not.toHaveAttribute('data-end-reason', '', { timeout });
  return (await trajectory(page).getAttribute('data-end-reason'))!;
}

/** The human composer: write a turn and submit it with Ctrl+Enter. */
export async function submitHumanTurn(page: Page, text: string): Promise<void> {
  const box = page.getByTestId('human-text');
  await expect(box).toBeVisible({ timeout: 60_000 });
  await box.fill(text);
  await box.press('ControlOrMeta+Enter');
}

export function codeTurn(reasoning: string, code: string): string {
  return `${reasoning}\n<code>\n\`\`\`python\n${code}\n\`\`\`\n</code>`;
}

export function answerTurn(reasoning: string, answer: string): string {
  return `${reasoning}\n<answer>\n\\boxed{${answer}}\n</answer>`;
}

/** Replace a CodeMirror editor's text (one input event, so no auto-indent gets in the way). */
export async function fillCodeMirror(page: Page, editor: Locator, code: string): Promise<void> {
  const content = editor.locator('.cm-content');
  await content.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
  await expect
    .poll(async () => (await content.locator('.cm-line').allTextContents()).join('\n').replace(/\u00a0/g, ' '))
    .toBe(code);
}

/** The text of a turn card's output ('' when it printed nothing). */
export async function turnOutput(card: Locator): Promise<string> {
  const out = card.getByTestId('turn-output');
  return (await out.count()) > 0 ? await out.innerText() : '';
}
