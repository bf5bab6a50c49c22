import { expect, type Locator, type Page } from '@playwright/test';

/**
 * Open the app on its Python console view (the playground is the main view; `#console` selects
 * the console) and wait until Python is ready and the input image is decoded.
 */
export async function openApp(page: Page, query = ''): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto('/' + query + '#console');
  await expect(page.getByTestId('tab-console')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('image-info')).toBeVisible();
  expect(errors, 'uncaught page errors').toEqual([]);
}

/** Replace the editor's text (CodeMirror 6) with `code`, verbatim. */
export async function setCode(page: Page, code: string): Promise<void> {
  const content = page.locator('[data-testid="code-editor"] .cm-content');
  await content.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  // insertText is one input event: no auto-indent or bracket closing gets in the way.
  await page.keyboard.insertText(code);
  await expect.poll(async () => editorText(page)).toBe(code);
}

/** The editor's text, line by line as CodeMirror renders it. */
export async function editorText(page: Page): Promise<string> {
  const lines = await page.locator('[data-testid="code-editor"] .cm-content .cm-line').allTextContents();
  return lines.join('\n').replace(/\u00a0/g, ' ');
}

/** Run `code` and wait for its result; returns the new run's result element. */
export async function runCode(page: Page, code: string, opts: { via?: 'button' | 'keyboard'; timeout?: number } = {}): Promise<Locator> {
  const results = page.getByTestId('run-result');
  const before = await results.count();
  await setCode(page, code);
  await expect(page.getByTestId('run-button')).toBeEnabled();
  if (opts.via === 'keyboard') {
    await page.locator('[data-testid="code-editor"] .cm-content').press('ControlOrMeta+Enter');
  } else {
    await page.getByTestId('run-button').click();
  }
  await expect(results).toHaveCount(before + 1);
  const result = results.nth(before);
  await expect(result).not.toHaveAttribute('data-status', 'running', { timeout: opts.timeout ?? 60_000 });
  return result;
}

/** The printed text of a run ('' when it printed nothing). */
export async function outputOf(result: Locator): Promise<string> {
  const out = result.getByTestId('run-output');
  return (await out.count()) > 0 ? await out.innerText() : '';
}
