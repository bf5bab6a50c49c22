/**
 * Precompression (precompress.ts) and serving the results (serveCompressed.ts): which files get
 * .br/.gz, that they decode to the original bytes, that a rebuild reuses the cache, and the
 * response a browser gets (encoding, type, ETag/304, HEAD, no encoding when not accepted).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressDir } from './precompress';
import { sendPrecompressed } from './serveCompressed';

let dir: string;
let cacheDir: string;
const text = 'export const words = ' + JSON.stringify(Array.from({ length: 400 }, (_, i) => `word${i % 37}`)) + ';\n';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'precompress-'));
  cacheDir = path.join(dir, '.cache');
  fs.mkdirSync(path.join(dir, 'site', 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'site', 'assets', 'app.js'), text);
  fs.writeFileSync(path.join(dir, 'site', 'tiny.js'), 'x=1');
  fs.writeFileSync(path.join(dir, 'site', 'photo.jpg'), text); // compressible bytes, but a JPEG by name
  fs.writeFileSync(path.join(dir, 'site', 'noise.bin'), randomBytes(8192));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const site = (p: string) => path.join(dir, 'site', p);

describe('precompressDir', () => {
  it('compresses what shrinks, by type and size, and the outputs decode to the original', async () => {
    const r = await precompressDir(path.join(dir, 'site'), { cacheDir });
    expect(fs.existsSync(site('assets/app.js.br'))).toBe(true);
    expect(fs.existsSync(site('assets/app.js.gz'))).toBe(true);
    expect(zlib.brotliDecompressSync(fs.readFileSync(site('assets/app.js.br'))).toString()).toBe(text);
    expect(zlib.gunzipSync(fs.readFileSync(site('assets/app.js.gz'))).toString()).toBe(text);
    for (const skipped of ['tiny.js', 'photo.jpg', 'noise.bin']) {
      expect(fs.existsSync(site(skipped + '.br')), skipped).toBe(false);
      expect(fs.existsSync(site(skipped + '.gz')), skipped).toBe(false);
    }
    expect(r.compressed).toBeGreaterThan(0);
  });

  it('a rebuild takes unchanged files from the cache', async () => {
    const r = await precompressDir(path.join(dir, 'site'), { cacheDir });
    expect(r.compressed).toBe(0);
    expect(r.fromCache).toBeGreaterThan(0);
  });

  it('never overwrites or deletes a shipped .gz file (one it did not write)', async () => {
    const shipped = site('data.bin.gz');
    fs.writeFileSync(site('data.bin'), text);
    fs.writeFileSync(shipped, 'shipped bytes');
    await precompressDir(path.join(dir, 'site'), { cacheDir });
    expect(fs.readFileSync(shipped, 'utf8')).toBe('shipped bytes');
    expect(fs.existsSync(site('data.bin.br'))).toBe(true);
    await precompressDir(path.join(dir, 'site'), { cacheDir });
    expect(fs.readFileSync(shipped, 'utf8')).toBe('shipped bytes');
  });
});

describe('sendPrecompressed', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp'); // set by the middleware before
      if (!sendPrecompressed(path.join(dir, 'site'), (req.url ?? '/').split('?')[0]!, req, res)) {
        res.statusCode = 299; // "not handled": the static server would answer
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = (p: string, headers: Record<string, string>, method = 'GET') =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http
        .request(base + p, { method, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        })
        .on('error', reject)
        .end();
    });

  it('sends brotli when accepted, else gzip, with type, ETag, Vary and the headers already set', async () => {
    const br = await get('/assets/app.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^text\/javascript/);
    expect(br.headers['vary']).toMatch(/Accept-Encoding/);
    expect(br.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(text);
    const gz = await get('/assets/app.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(text);
    const again = await get('/assets/app.js', { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
    expect(again.status).toBe(304);
    const head = await get('/assets/app.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.headers['content-length']).toBe(String(fs.statSync(site('assets/app.js.br')).size));
  });

  it('leaves to the static server: no accepted encoding, ranges, files without variants, traversal', async () => {
    expect((await get('/assets/app.js', {})).status).toBe(299);
    expect((await get('/assets/app.js', { 'accept-encoding': 'br', range: 'bytes=0-3' })).status).toBe(299);
    expect((await get('/noise.bin', { 'accept-encoding': 'br' })).status).toBe(299);
    expect((await get('/../precompress-x/app.js', { 'accept-encoding': 'br' })).status).toBe(299);
  });
});
