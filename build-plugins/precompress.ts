/**
 * Precompression of the built site: every file in dist/ above a size threshold whose type
 * compresses gets a `.br` (brotli, quality 11) and a `.gz` (gzip -9) beside it, kept only when
 * it saves at least `minSaving` of the bytes. Servers send them as they are (Content-Encoding),
 * so the work is done once at build time instead of per request (`vite preview` compresses
 * only text on the fly, at a low level, and not WASM, weights or the Python standard library).
 *
 * Brotli 11 is slow (≈ 1 min for Pyodide's 9.6 MB WASM on this machine), so outputs are cached
 * by content hash in node_modules/.cache/: only files that changed are compressed again.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** Extensions that never shrink (already compressed formats). */
const INCOMPRESSIBLE = new Set(['.br', '.gz', '.zst', '.jpg', '.jpeg', '.webp', '.avif', '.gif', '.mp4', '.webm', '.woff2', '.woff', '.mp3', '.ogg']);

export interface PrecompressOptions {
  /** Files smaller than this are not compressed (bytes; default 1024). */
  threshold?: number;
  /** Keep an encoding only when it saves at least this share of the bytes (default 0.05). */
  minSaving?: number;
  /** Where compressed outputs are cached between builds. */
  cacheDir?: string;
}

export interface PrecompressReport {
  files: number;
  bytes: number;
  brotliBytes: number;
  compressed: number;
  fromCache: number;
}

/** In the output folder: which .br/.gz files precompressDir wrote. */
const LEDGER = '.precompressed.json';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

export const ENCODINGS = [
  { ext: '.br', name: 'br' },
  { ext: '.gz', name: 'gzip' },
] as const;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function encode(data: Buffer, kind: 'br' | 'gzip'): Promise<Buffer> {
  if (kind === 'gzip') return gzip(data, { level: 9 });
  return brotli(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
}

/** Writes `file.br` / `file.gz` for every eligible file under `dir`; removes stale ones. */
export async function precompressDir(dir: string, opts: PrecompressOptions = {}): Promise<PrecompressReport> {
  const threshold = opts.threshold ?? 1024;
  const minSaving = opts.minSaving ?? 0.05;
  const cacheDir = opts.cacheDir ?? path.resolve('node_modules/.cache/pyvision-precompress');
  fs.mkdirSync(cacheDir, { recursive: true });
  const report: PrecompressReport = { files: 0, bytes: 0, brotliBytes: 0, compressed: 0, fromCache: 0 };
  // The .br/.gz files this step wrote (a rerun on the same folder replaces only those): a
  // shipped file such as `data.gz` beside `data` is left alone.
  const ledger = path.join(dir, LEDGER);
  const ours = new Set<string>(fs.existsSync(ledger) ? (JSON.parse(fs.readFileSync(ledger, 'utf8')) as string[]) : []);
  const written: string[] = [];
  const files = walk(dir).filter((f) => !ENCODINGS.some((e) => f.endsWith(e.ext)) && path.basename(f) !== LEDGER);
  const used = new Set<string>();
  // Brotli runs on libuv's thread pool: a few files at a time keep both cores busy.
  const queue = files.slice();
  const workers = Array.from({ length: 4 }, async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const data = fs.readFileSync(file);
      report.files++;
      report.bytes += data.length;
      const eligible = data.length >= threshold && !INCOMPRESSIBLE.has(path.extname(file).toLowerCase());
      let best = data.length;
      for (const e of ENCODINGS) {
        const target = file + e.ext;
        const rel = path.relative(dir, target);
        if (fs.existsSync(target) && !ours.has(rel)) continue; // shipped as such
        fs.rmSync(target, { force: true });
        if (!eligible) continue;
        const key = createHash('sha256').update(data).digest('hex') + e.ext;
        const cached = path.join(cacheDir, key);
        used.add(key);
        let out: Buffer;
        if (fs.existsSync(cached)) {
          out = fs.readFileSync(cached);
          report.fromCache++;
        } else {
          out = await encode(data, e.name);
          fs.writeFileSync(cached, out);
          report.compressed++;
        }
        if (out.length <= data.length * (1 - minSaving)) {
          fs.writeFileSync(target, out);
          written.push(rel);
          if (e.name === 'br') best = out.length;
        }
      }
      report.brotliBytes += best;
    }
  });
  await Promise.all(workers);
  fs.writeFileSync(ledger, JSON.stringify(written.sort()));
  // The cache holds this build's outputs only (each build's JS has new hashes).
  for (const name of fs.readdirSync(cacheDir)) if (!used.has(name)) fs.rmSync(path.join(cacheDir, name), { force: true });
  return report;
}
