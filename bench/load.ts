/**
 * `npm run bench:load -- [--no-build] [--width 1280] [--height 800] [--json out.json]`
 *
 * What a newcomer's first visit costs: builds the app (unless --no-build), serves dist/ with
 * `vite preview` (the same server and headers as `npm start`), opens it in the system Chromium
 * with an empty profile, and waits until Python is ready, the model's weights are loaded and
 * (when the app registers one) the service worker has cached what offline use needs, then
 * until the network has been quiet for 3 s. Bytes are counted on the server's sockets, so
 * they are what went over the wire: headers, bodies as encoded, requests the service worker
 * made included. Prints one JSON object:
 *
 * - firstVisit: transferred bytes, requests, bytes by folder and the largest responses
 *   (encoding, Sec-Fetch-Dest);
 * - pageJs: the JavaScript the page itself loaded (the document's resource timeline: entry,
 *   chunks, modulepreloads; not what workers or the service worker fetched), gzipped (gzip -9 of
 *   the files in dist/, whatever the server sent); workerJs: every other JS file served;
 * - repeatVisit: bytes and requests of a reload in the same profile (service worker and HTTP
 *   cache warm);
 * - failedRequests: responses ≥ 400 and requests that failed in the browser (should be none).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { preview } from 'vite';
import { runIfMain } from '../cli/runMain';

const USAGE = 'usage: npm run bench:load -- [--no-build] [--width 1280] [--height 800] [--json out.json]';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'];
const MB = 1e6;

interface Served {
  url: string;
  status: number;
  bytes: number;
  encoding: string | null;
  dest: string | null;
}

/** Counts bytes per request and in total on the preview server's sockets. */
function meter(server: import('node:http').Server) {
  let served: Served[] = [];
  const sockets = new Set<Socket>();
  let lastActivity = Date.now();
  let baseline = 0;
  server.on('connection', (s: Socket) => sockets.add(s));
  // Prepended: the snapshot is taken before Vite's middlewares write anything.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const before = socket.bytesWritten;
    lastActivity = Date.now();
    res.on('finish', () => {
      lastActivity = Date.now();
      served.push({
        url: req.url ?? '',
        status: res.statusCode,
        bytes: socket.bytesWritten - before,
        encoding: (res.getHeader('content-encoding') as string | undefined) ?? null,
        dest: (req.headers['sec-fetch-dest'] as string | undefined) ?? null,
      });
    });
  });
  const total = () => [...sockets].reduce((n, s) => n + s.bytesWritten, 0);
  return {
    /** Starts a new measurement window. */
    reset() {
      served = [];
      baseline = total();
    },
    bytes: () => total() - baseline,
    served: () => served.slice(),
    quietFor: () => Date.now() - lastActivity,
  };
}

async function waitQuiet(m: ReturnType<typeof meter>, ms: number, limitMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (m.quietFor() < ms && Date.now() - t0 < limitMs) await new Promise((r) => setTimeout(r, 200));
}

/** Python ready, weights loaded and, when a service worker is registered, the offline cache filled. */
async function waitReady(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="runtime-status"][data-phase="ready"]', { timeout: 180_000 });
  await page.waitForSelector('[data-testid="model-status"][data-phase="ready"]', { timeout: 180_000 });
  const offline = page.locator('[data-testid="offline-status"]');
  if ((await offline.count()) > 0) await page.waitForSelector('[data-testid="offline-status"][data-state="ready"], [data-testid="offline-status"][data-state="unavailable"]', { timeout: 180_000 });
}

function folderOf(url: string): string {
  const p = url.split('?')[0]!;
  const m = /^\/([^/]+)\//.exec(p);
  return m ? `/${m[1]}/` : p;
}

function summarize(served: Served[], bytes: number) {
  const byFolder: Record<string, number> = {};
  for (const s of served) byFolder[folderOf(s.url)] = (byFolder[folderOf(s.url)] ?? 0) + s.bytes;
  return {
    bytes,
    megabytes: Number((bytes / MB).toFixed(2)),
    requests: served.length,
    byFolder: Object.fromEntries(Object.entries(byFolder).sort((a, b) => b[1] - a[1])),
    largest: [...served].sort((a, b) => b.bytes - a.bytes).slice(0, 12),
  };
}

const gzipped = (file: string) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;

/** The gzipped size of each served JS file whose path `pick` selects. */
function jsReport(served: Served[], distDir: string, pick: (urlPath: string) => boolean) {
  const files = new Map<string, number>();
  for (const s of served) {
    const p = decodeURIComponent(s.url.split('?')[0]!);
    if (!/\.m?js$/.test(p) || !pick(p) || s.status >= 300) continue;
    const file = path.join(distDir, p);
    if (fs.existsSync(file)) files.set(p, gzipped(file));
  }
  const gz = [...files.values()].reduce((a, b) => a + b, 0);
  return { files: Object.fromEntries(files), gzipBytes: gz, gzipMegabytes: Number((gz / MB).toFixed(3)) };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'no-build': { type: 'boolean' }, width: { type: 'string' }, height: { type: 'string' }, json: { type: 'string' } },
  });
  const root = process.cwd();
  if (!values['no-build']) {
    const b = spawnSync('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: root });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const distDir = path.join(root, 'dist');
  if (!fs.existsSync(path.join(distDir, 'index.html'))) throw new Error('no dist/index.html: build first (or drop --no-build)');

  const server = await preview({ logLevel: 'silent', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const http = server.httpServer as import('node:http').Server;
  const m = meter(http);
  const address = http.address();
  if (!address || typeof address === 'string') throw new Error('the preview server has no TCP address');
  const base = `http://127.0.0.1:${address.port}`;

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const failed: string[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: Number(values.width ?? 1280), height: Number(values.height ?? 800) } });
    const page = await context.newPage();
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.url()} HTTP ${r.status()}`);
    });

    m.reset();
    const t0 = Date.now();
    await page.goto(base + '/');
    await waitReady(page);
    const readyMs = Date.now() - t0;
    await waitQuiet(m, 3000);
    const first = m.served();
    const firstBytes = m.bytes();
    // The document's own resource timeline: what the page loaded (workers have their own).
    const pageUrls = new Set(
      await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)),
    );
    const jsFiles = new Set(first.map((s) => decodeURIComponent(s.url.split('?')[0]!)).filter((p) => /\.m?js$/.test(p)));

    m.reset();
    await page.reload();
    await waitReady(page);
    await waitQuiet(m, 3000);
    const repeat = { bytes: m.bytes(), requests: m.served().length };

    const result = {
      viewport: `${values.width ?? 1280}x${values.height ?? 800}`,
      readyMs,
      firstVisit: summarize(first, firstBytes),
      pageJs: jsReport(first, distDir, (p) => pageUrls.has(p)),
      workerJs: jsReport(first, distDir, (p) => jsFiles.has(p) && !pageUrls.has(p)),
      repeatVisit: repeat,
      failedRequests: [...new Set(failed)],
      serviceWorker: await page.evaluate(async () => !!(await navigator.serviceWorker?.getRegistration())),
    };
    const text = JSON.stringify(result, null, 2);
    if (values.json) fs.writeFileSync(values.json, text + '\n');
    console.log(text);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
  return 0;
}

runIfMain(import.meta.url, main, USAGE);
