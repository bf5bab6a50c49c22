/**
 * A newcomer's network panel stays clean: while the app loads, a Python worker starts (and
 * decides between real packages and the compatibility layer) and the weights load, no request
 * fails, none answers ≥ 400, none leaves the origin and the console shows no error.
 */
import { expect, test } from '@playwright/test';

test('no failed request while the app loads and a Python worker starts', async ({ page, baseURL }) => {
  const problems: string[] = [];
  const foreign: string[] = [];
  page.on('requestfailed', (r) => problems.push(`${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.request().method()} ${r.url()} HTTP ${r.status()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(baseURL!) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${String(e)}`));

  await page.goto('/');
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  await expect(page.getByTestId('runtime-packages')).toHaveText('packages: compat');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  // A second worker starting (the console's own session) must not fail anything either.
  await page.getByTestId('tab-console').click();
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-result').first()).toHaveAttribute('data-status', 'ok', { timeout: 60_000 });

  expect(problems).toEqual([]);
  expect(foreign).toEqual([]);
});
