/**
 * The Node sandbox, proven from inside Python: model-emitted code must not read or write
 * the file system, see the environment, start processes or threads, or reach the network.
 * A local HTTP/TCP/UDP listener counts every attempt that gets through: it must stay at zero.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PythonRuntime, PythonSession } from '../../src/runtime/types';
import { createNodeRuntime } from './nodeRuntime';

let runtime: PythonRuntime;
let session: PythonSession;
let server: http.Server;
let udp: dgram.Socket;
let hits = 0;
let port = 0;
let udpPort = 0;

beforeAll(async () => {
  process.env.PYVISION_SANDBOX_CANARY = 'parent-secret';
  server = http.createServer((_req, res) => {
    hits++;
    res.end('reached');
  });
  server.on('connection', () => hits++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  udp = dgram.createSocket('udp4');
  udp.on('message', () => hits++);
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  udpPort = udp.address().port;
  runtime = await createNodeRuntime({ poolSize: 1, limits: { timeoutMs: 5000 } });
  session = await runtime.openSession();
}, 60_000);

afterAll(async () => {
  await session?.close();
  await runtime?.dispose();
  server?.close();
  udp?.close();
});

/** Runs `attempt` (Python) and returns what it printed; the attempt prints BLOCKED on failure. */
async function attempt(code: string): Promise<string> {
  const wrapped = `try:\n${code.replace(/^/gm, '    ')}\n    print("ALLOWED")\nexcept BaseException as e:\n    print("BLOCKED", type(e).__name__, str(e)[:160])`;
  const r = await session.run(wrapped);
  return r.output + (r.error ? `ERROR ${r.error.message}` : '');
}

const node = (mod: string) => `import js\nm = js.process.getBuiltinModule("${mod}")`;

describe('Node sandbox', () => {
  it('cannot read host files through Python or Node', async () => {
    expect(await attempt('open("/etc/hostname").read()')).toMatch(/^BLOCKED FileNotFoundError/);
    expect(await attempt(`${node('fs')}\nm.readFileSync("/etc/hostname", "utf8")`)).toMatch(/^BLOCKED .*(restricted|ERR_ACCESS_DENIED)/);
    expect(await attempt(`${node('fs')}\nm.readdirSync("/")`)).toMatch(/^BLOCKED/);
  });

  it('cannot write host files', async () => {
    expect(await attempt(`${node('fs')}\nm.writeFileSync("/tmp/pyvision-sandbox-escape", "x")`)).toMatch(/^BLOCKED/);
  });

  it('sees none of the parent environment', async () => {
    const r = await session.run('import os, js\nprint(sorted(os.environ.keys()))\nprint(js.Object.keys(js.process.env).length)');
    expect(r.output).not.toMatch(/PYVISION_SANDBOX_CANARY|parent-secret|PATH=/);
    expect(r.output.trim().split('\n')[1]).toBe('0');
  });

  it('cannot start processes, threads, addons or the inspector', async () => {
    expect(await attempt(`${node('child_process')}\nm.execSync("id")`)).toMatch(/^BLOCKED/);
    expect(await attempt(`${node('child_process')}\nm.spawn("sh", ["-c", "true"])`)).toMatch(/^BLOCKED/);
    expect(await attempt(`${node('worker_threads')}\nm.Worker.new("1", js.Object.fromEntries([["eval", True]]))`)).toMatch(/^BLOCKED/);
    expect(await attempt('import js\njs.process.dlopen(js.Object.new(), "/lib/x86_64-linux-gnu/libc.so.6")')).toMatch(/^BLOCKED/);
    expect(await attempt(`${node('inspector')}\nm.open(0)`)).toMatch(/^BLOCKED/);
    expect(await attempt('import js\njs.process.kill(1, "SIGTERM")')).toMatch(/^BLOCKED/);
  });

  it('cannot reach the network by any route, and the listener counts zero', async () => {
    const url = `http://127.0.0.1:${port}/`;
    const tries = [
      `import js\njs.fetch("${url}")`,
      `${node('http')}\nm.get("${url}")`,
      `${node('net')}\nm.connect(${port}, "127.0.0.1")`,
      `${node('net')}\nm.Socket.new().connect(${port}, "127.0.0.1")`,
      `${node('tls')}\nm.connect(${port}, "127.0.0.1")`,
      `${node('http2')}\nm.connect("${url}")`,
      `${node('dgram')}\nm.createSocket("udp4").send("x", ${udpPort}, "127.0.0.1")`,
      `${node('dns')}\nm.lookup("localhost", lambda *a: None)`,
      `${node('net')}\nm.createServer().listen(0)`,
    ];
    for (const code of tries) expect(await attempt(code), code).toMatch(/^BLOCKED/);
    // Asynchronous routes: start them in one call, look at the outcome in the next
    // (the child's event loop runs in between).
    const asyncTries = [
      [`import asyncio, pyodide.http\ntask = asyncio.ensure_future(pyodide.http.pyfetch("${url}"))`, 'if task.exception(): raise task.exception()'],
      [`import js\nbox = {}\njs.Function("return import('node:net')")().then(lambda m: box.update(m=m))`, `box["m"].connect(${port}, "127.0.0.1")`],
      [`import js\nbox = {}\njs.Function("return import('node:http')")().then(lambda m: box.update(m=m))`, `box["m"].get("${url}")`],
      [
        `import js\nbox = {}\njs.Function("return import('node:worker_threads')")().then(lambda m: box.update(m=m))`,
        'box["m"].Worker.new("1", js.Object.fromEntries([["eval", True]]))',
      ],
    ];
    for (const [start, check] of asyncTries) {
      const first = await session.run(start!);
      expect(first.error, start).toBeNull();
      await new Promise((r) => setTimeout(r, 100));
      const out = await attempt(check!);
      expect(out, check).toMatch(/^BLOCKED/);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(hits).toBe(0);
  });

  it('is still a working Python afterwards', async () => {
    expect((await session.run('print(sum(range(10)))')).output).toBe('45\n');
  });
});
