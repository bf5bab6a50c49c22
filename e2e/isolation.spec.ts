import { expect, test } from '@playwright/test';
import { openApp } from './helpers';

test('the page is cross-origin isolated and every response carries the security headers', async ({ page, request }) => {
  const response = await page.goto('/');
  expect(response, 'navigation response').not.toBeNull();
  const headers = response!.headers();
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  expect(headers['cross-origin-resource-policy']).toBe('same-origin');
  const csp = headers['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).not.toContain("'unsafe-eval'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toContain("worker-src 'self' blob:");
  expect(csp).toContain("object-src 'none'");

  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');

  // Pyodide's files are served by the app, as WebAssembly, with the same headers.
  const wasm = await request.get('/pyodide/pyodide.asm.wasm');
  expect(wasm.status()).toBe(200);
  expect(wasm.headers()['content-type']).toBe('application/wasm');
  expect(wasm.headers()['content-security-policy']).toBe(csp);
  expect(wasm.headers()['cross-origin-embedder-policy']).toBe('require-corp');

  // A missing Pyodide file is a real 404, not the SPA's index.html.
  const missing = await request.get('/pyodide/numpy-9.9.9-cp314-pyodide_2025_0_wasm32.whl');
  expect(missing.status()).toBe(404);
  expect(missing.headers()['content-type'] ?? '').not.toContain('text/html');

  const favicon = await request.get('/favicon.svg');
  expect(favicon.status()).toBe(200);

  // And Python actually starts under these headers.
  await openApp(page);
  await expect(page.getByTestId('runtime-packages')).toContainText(/packages: (compat|real)/);
});
