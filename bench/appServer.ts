/**
 * What the browser benchmarks share: a production build, a `vite preview` server of it on a free
 * port, and the Chromium flags that work headless here (PLATFORM.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The production build in dist/, rebuilt when older than app/, src/ or workers/ (BENCH_REUSE_BUILD=1 keeps it). */
export function ensureBuild(log: (s: string) => void): 'reused' | 'built' {
  const index = path.join(ROOT, 'dist/index.html');
  const stale = !existsSync(index) || ['app', 'src', 'workers'].some((d) => newestMtime(path.join(ROOT, d)) > statSync(index).mtimeMs);
  if (existsSync(index) && (process.env.BENCH_REUSE_BUILD === '1' || !stale)) return 'reused';
  log('building the production app (npm run build)…');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('npm run build failed');
  return 'built';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** `vite preview` of dist/ on the port, until stop() is called. */
export async function startPreview(port: number) {
  const child = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: ROOT, stdio: 'ignore', detached: true });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return { url, stop: () => process.kill(-child.pid!, 'SIGTERM') };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  process.kill(-child.pid!, 'SIGTERM');
  throw new Error(`vite preview did not come up on ${url}`);
}

