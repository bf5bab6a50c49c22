import { expect, test } from '@playwright/test';
import { openApp, outputOf, runCode, setCode } from './helpers';

const TIMEOUT_MS = 3000;

// One retry, and only here: under the whole suite's load on a 2-core machine the first test has
// twice ended session-lost ("ignored the interrupt" after the 3 s grace) where it passes alone
// and in other full runs; the cause is not found yet (see the stop-19 note). The session-lost
// message now says whether Python ever read the interrupt flag (pool.ts interruptDiagnosis), so
// the next such failure tells which. A second failure still fails the suite.
test.describe.configure({ retries: 1 });

test('a runaway loop is interrupted at the timeout; the session and its variables survive', async ({ page }) => {
  await openApp(page, `?timeoutMs=${TIMEOUT_MS}`);
  await expect(page.getByTestId('timeout-input')).toHaveValue('3');

  const setup = await runCode(page, 'x = 41\nprint("x set")');
  await expect(setup).toHaveAttribute('data-status', 'ok');

  const t0 = Date.now();
  const loop = await runCode(page, 'while True:\n    pass');
  const elapsed = Date.now() - t0;
  await expect(loop).toHaveAttribute('data-status', 'timeout');
  await expect(loop.getByTestId('run-error')).toHaveAttribute('data-kind', 'timeout');
  await expect(loop.getByTestId('run-error-type')).not.toBeEmpty();
  await expect(loop.getByTestId('run-error-message')).toContainText(/time|limit|interrupt/i);
  expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 200);
  expect(elapsed).toBeLessThan(TIMEOUT_MS + 15_000);

  const next = await runCode(page, 'print(x + 1)');
  await expect(next).toHaveAttribute('data-status', 'ok');
  await expect(next.getByTestId('fresh-session')).toHaveCount(0);
  expect((await outputOf(next)).trim()).toBe('42');
});

test('code that swallows KeyboardInterrupt is terminated, reported as session lost, and the next run gets a fresh session', async ({ page }) => {
  await openApp(page, `?timeoutMs=${TIMEOUT_MS}`);

  const setup = await runCode(page, 'y = 7\nprint("y set")');
  await expect(setup).toHaveAttribute('data-status', 'ok');

  const stubborn = [
    'while True:',
    '    try:',
    '        while True:',
    '            pass',
    '    except KeyboardInterrupt:',
    '        pass',
  ].join('\n');
  const lost = await runCode(page, stubborn);
  await expect(lost).toHaveAttribute('data-status', 'session-lost');
  await expect(lost.getByTestId('run-error')).toHaveAttribute('data-kind', 'session-lost');
  await expect(lost.getByTestId('session-lost-note')).toBeVisible();
  // The page read Pyodide's interrupt flag: Python saw the interrupt and the code swallowed it.
  await expect(lost.getByTestId('run-error-message')).toContainText(/read the interrupt and went on: the code caught KeyboardInterrupt/);

  const next = await runCode(page, 'try:\n    y\n    print("old session")\nexcept NameError:\n    print("fresh session")');
  await expect(next).toHaveAttribute('data-status', 'ok');
  await expect(next.getByTestId('fresh-session')).toBeVisible();
  expect((await outputOf(next)).trim()).toBe('fresh session');
  // image_clue_0 is bound again in the new session.
  const img = await runCode(page, 'print(image_clue_0.size)');
  expect(await outputOf(img)).toMatch(/\(\d+, \d+\)/);
});

test('Stop interrupts a running call and the session keeps its variables', async ({ page }) => {
  await openApp(page, '?timeoutMs=60000');
  await expect(page.getByTestId('timeout-input')).toHaveValue('60');
  const results = page.getByTestId('run-result');
  await runCode(page, 'kept = 40');
  const before = await results.count();
  await setCode(page, 'import time\nwhile True:\n    time.sleep(0.01)');
  await page.getByTestId('run-button').click();
  await expect(results).toHaveCount(before + 1);
  await expect(results.nth(before)).toHaveAttribute('data-status', 'running');
  await page.waitForTimeout(500);
  await page.getByTestId('stop-button').click();
  await expect(results.nth(before)).toHaveAttribute('data-status', 'stopped', { timeout: 5_000 });
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 60_000 });
  const next = await runCode(page, 'print(kept + 2)');
  await expect(next).toHaveAttribute('data-status', 'ok');
  expect((await outputOf(next)).trim()).toBe('42');
});
