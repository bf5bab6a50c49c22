/**
 * Serves dist/'s precompressed files (precompress.ts) in `vite preview` / `npm start`: for a
 * GET or HEAD of `/x` with `/x.br` (or `/x.gz`) on disk and a matching Accept-Encoding, the
 * compressed bytes go out with Content-Encoding, the original file's Content-Type, an ETag and
 * `Vary: Accept-Encoding`. The security headers are already on the response (the middleware
 * before this one sets them), so compressed responses carry the same COOP/COEP/CSP.
 *
 * Also sets Cache-Control: files under /assets/ have content hashes in their names and never
 * change (`immutable`); everything else is revalidated (`no-cache` + ETag, a cheap 304).
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.zip': 'application/zip',
  '.bin': 'application/octet-stream',
};

export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export function cacheControlOf(urlPath: string): string {
  return urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** The encodings a request accepts, in our order of preference. */
function accepted(req: IncomingMessage): Array<{ ext: string; name: string }> {
  const header = String(req.headers['accept-encoding'] ?? '');
  const out: Array<{ ext: string; name: string }> = [];
  if (/\bbr\b/.test(header)) out.push({ ext: '.br', name: 'br' });
  if (/\bgzip\b/.test(header)) out.push({ ext: '.gz', name: 'gzip' });
  return out;
}

/** Resolves a URL path inside `root`, or null (traversal, not a file). */
export function fileIn(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const file = path.resolve(root, '.' + decoded);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  try {
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * Sends the precompressed variant of `urlPath` when there is one the client accepts; returns
 * false (nothing sent) otherwise, so the static server handles the request as usual.
 */
export function sendPrecompressed(root: string, urlPath: string, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers.range) return false; // ranges address the original bytes
  const file = fileIn(root, urlPath.endsWith('/') ? urlPath + 'index.html' : urlPath);
  if (!file) return false;
  for (const enc of accepted(req)) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file + enc.ext);
    } catch {
      continue;
    }
    const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}-${enc.name}"`;
    const vary = res.getHeader('Vary');
    res.setHeader('Vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
    res.setHeader('ETag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      res.end();
      return true;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', contentTypeOf(file));
    res.setHeader('Content-Encoding', enc.name);
    res.setHeader('Content-Length', stat.size);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    fs.createReadStream(file + enc.ext).pipe(res);
    return true;
  }
  return false;
}
