/**
 * Offline after one visit (the service worker, workers/offline/sw.ts). Each test serves its own
 * copy of the fresh production build with `vite preview` (same headers and compression as
 * `npm start`) on a port of its own, so "the network is off" can be real: the server is shut
 * down and the browser context is set offline. What must still work: the page loads
 * cross-origin isolated with its security headers, Python runs, the tiny policy answers a
 * generated task, and a small RL run trains. A second build served later replaces the cached
 * one when the user accepts the update, reusing the files that did not change.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { preview, type PreviewServer } from 'vite';
import { finishDist } from '../build-plugins/serviceWorker';
import { SERVICE_WORKER_OPTIONS } from '../vite.config';
import { generateTask, trajectory, waitForEnd } from './playground';

test.describe.configure({ mode: 'serial' });

const servers: PreviewServer[] = [];
const temps: string[] = [];

/** A copy of dist/ to serve: the test may change it without touching the real build. */
function copyOfDist(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-offline-'));
  temps.push(dir);
  fs.cpSync(path.resolve('dist'), dir, { recursive: true });
  return dir;
}

async function serve(dir: string, port = 0): Promise<{ server: PreviewServer; base: string; requested: string[] }> {
  const server = await preview({ logLevel: 'silent', build: { outDir: dir }, preview: { host: '127.0.0.1', port, strictPort: port !== 0, open: false } });
  servers.push(server);
  const requested: string[] = [];
  (server.httpServer as Server).prependListener('request', (req) => requested.push(req.url ?? ''));
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { server, base: `http://127.0.0.1:${address.port}`, requested };
}

test.afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

async function firstVisit(page: Page, base: string): Promise<void> {
  await page.goto(base + '/?backend=wasm');
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
}

test('after one visit, with the network off: the app loads isolated, Python runs, the policy answers, RL trains', async ({ browser }) => {
  test.setTimeout(420_000);
  const { server, base } = await serve(copyOfDist());
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await firstVisit(page, base);

  // The network goes away for real: no server, and the browser offline.
  await server.close();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('tab-playground')).toHaveAttribute('aria-selected', 'true');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });

  // What the service worker serves keeps the headers: the page's, and the strict CSP for Python.
  const headers = await page.evaluate(async () => {
    const worker = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).find((p) => /\/assets\/python\.worker-/.test(p))!;
    const get = async (url: string) => {
      const h = (await fetch(url)).headers;
      return { coop: h.get('cross-origin-opener-policy'), coep: h.get('cross-origin-embedder-policy'), csp: h.get('content-security-policy') };
    };
    return { shell: await get('/index.html'), worker: await get(worker), wasm: await get('/pyodide/pyodide.asm.wasm') };
  });
  for (const h of Object.values(headers)) {
    expect(h.coop).toBe('same-origin');
    expect(h.coep).toBe('require-corp');
    expect(h.csp).toContain("default-src 'self'");
  }
  expect(headers.worker.csp).toMatch(/connect-src 'self';/);

  // Python, in the console.
  await page.getByTestId('tab-console').click();
  await page.locator('[data-testid="code-editor"] .cm-content').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText('print("offline", sum(range(10)))');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-result').last()).toHaveAttribute('data-status', 'ok', { timeout: 60_000 });
  await expect(page.getByTestId('run-result').last().getByTestId('run-output')).toContainText('offline 45');

  // The tiny policy answers a generated task.
  await page.getByTestId('tab-playground').click();
  await generateTask(page, 'visual-search', 1);
  await expect(page.getByTestId('policy-select')).toHaveValue('tiny');
  await page.getByTestId('run-agent').click();
  expect(await waitForEnd(page, 180_000)).toBe('DONE');
  await expect(trajectory(page).getByTestId('turn-answer')).not.toHaveCount(0);

  // Training: one small GRPO step in the training worker (its Python workers load offline too).
  await page.getByTestId('tab-rl').click();
  await expect(page.getByTestId('rl-view')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('rl-preset').selectOption('test');
  for (const [id, v] of [['steps', 1], ['promptsPerStep', 1], ['oversample', 1], ['groupSize', 2], ['maxNewTokens', 8], ['maxTurns', 2]] as const) {
    await page.getByTestId(`rl-${id}`).fill(String(v));
  }
  await page.getByTestId('rl-start').click();
  await expect(page.getByTestId('rl-run')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  expect(errors).toEqual([]);
  await context.close();
});

test('a second build replaces the cached one: update offered, applied on reload, old cache gone, unchanged files reused', async ({ browser }) => {
  test.setTimeout(300_000);
  const first = await serve(copyOfDist());
  const port = Number(new URL(first.base).port);
  const context = await browser.newContext();
  const page = await context.newPage();
  await firstVisit(page, first.base);
  const cachesBefore = await page.evaluate(() => caches.keys());
  expect(cachesBefore.filter((n) => n.startsWith('pyvision-precache-'))).toHaveLength(1);

  // "The next build": a changed page, then the build's last step (sw.js with a new manifest,
  // compression) exactly as `vite build` runs it. Served on the same origin.
  const second = copyOfDist();
  const html = fs.readFileSync(path.join(second, 'index.html'), 'utf8');
  fs.writeFileSync(path.join(second, 'index.html'), html.replace('<head>', '<head>\n    <meta name="pv-build" content="second" />'));
  const { sw } = await finishDist(second, SERVICE_WORKER_OPTIONS);
  await first.server.close();
  const next = await serve(second, port);

  await page.reload();
  await expect(page.getByTestId('apply-update')).toBeVisible({ timeout: 120_000 });
  expect(await page.locator('meta[name="pv-build"]').count()).toBe(0); // still the cached build
  await Promise.all([page.waitForEvent('load'), page.getByTestId('apply-update').click()]);
  await expect(page.locator('meta[name="pv-build"]')).toHaveAttribute('content', 'second');
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-state', 'ready');
  await expect.poll(() => page.evaluate(() => caches.keys())).toContain(`pyvision-precache-${sw.version}`);
  const precaches = (await page.evaluate(() => caches.keys())).filter((n) => n.startsWith('pyvision-precache-'));
  expect(precaches).toEqual([`pyvision-precache-${sw.version}`]);
  // Unchanged files came from the old cache, not the network.
  expect(next.requested.filter((u) => /\/pyodide\/|\/models\/|\/assets\//.test(u))).toEqual([]);

  // And the new build is what loads offline.
  await next.server.close();
  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('meta[name="pv-build"]')).toHaveAttribute('content', 'second');
  await expect(page.getByTestId('runtime-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  await context.close();
});
