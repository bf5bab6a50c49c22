/**
 * The package switch (compat layer vs Pyodide's real numpy/Pillow/matplotlib), tested as far
 * as an offline machine allows: the real wheels cannot be had here, so these tests check
 * that 'real' fails clearly without them, that 'auto' tries a configured index and falls back
 * with the reason, and that the compat layer is what runs then. The success path needs a
 * reachable Pyodide distribution (see README: "Real packages").
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeRuntime } from './nodeRuntime';

let server: http.Server;
let requested: string[] = [];
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requested.push(req.url ?? '');
    res.statusCode = 404;
    res.end('not here');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => server.close());

describe('package mode', () => {
  it("'real' without a package index fails to start with a clear message", async () => {
    const runtime = await createNodeRuntime({ packages: 'real', maxWorkers: 1 });
    await expect(runtime.start()).rejects.toThrow(/numpy, Pillow and matplotlib are not available .*configure a Pyodide package index/);
    expect(runtime.status().phase).toBe('error');
    await runtime.dispose();
  }, 60_000);

  it("'auto' tries a configured index, then falls back to the compat layer and says why", async () => {
    requested = [];
    const runtime = await createNodeRuntime({ packages: 'auto', packageBaseUrl: base });
    await runtime.start();
    const status = runtime.status();
    expect(status.packages).toBe('compat');
    expect(status.detail).toMatch(/compatibility layer \(real packages unavailable: could not download numpy-.*HTTP 404/);
    expect(requested.some((u) => /numpy-.*\.whl/.test(u))).toBe(true);
    const s = await runtime.openSession();
    const r = await s.run('import PIL, matplotlib\nprint(PIL.__file__.split("/")[-3], matplotlib.__file__.split("/")[-3])');
    expect(r.output).toBe('compat compat\n');
    await s.close();
    await runtime.dispose();
  }, 60_000);

  it("'compat' never asks the index", async () => {
    requested = [];
    const runtime = await createNodeRuntime({ packages: 'compat', packageBaseUrl: base });
    await runtime.start();
    expect(runtime.status().packages).toBe('compat');
    expect(requested).toEqual([]);
    await runtime.dispose();
  }, 60_000);
});
