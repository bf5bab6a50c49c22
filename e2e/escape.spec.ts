import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openApp, outputOf, runCode } from './helpers';

/**
 * Python must not reach the network from its worker. A local HTTP server (127.0.0.1, random
 * port) counts every TCP connection, HTTP request and WebSocket upgrade; after every attempt
 * below has run (each as its own Python cell) and failed, it must have seen nothing at all.
 */
const PRELUDE = readFileSync(resolve('e2e/fixtures/escape_prelude.py'), 'utf8');

let server: Server;
let port = 0;
const seen = { connections: 0, requests: 0, upgrades: 0 };

test.beforeAll(async () => {
  server = createServer((req, res) => {
    seen.requests++;
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin', 'Content-Type': 'text/javascript' });
    res.end('/* escaped */');
  });
  server.on('connection', () => seen.connections++);
  server.on('upgrade', (_req, socket) => {
    seen.upgrades++;
    socket.destroy();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;
});

test.afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
});

interface Attempt {
  name: string;
  /** Python statements; may call _track(name, awaitable) for asynchronous attempts. */
  code: (url: string, wsUrl: string) => string;
}

const ATTEMPTS: Attempt[] = [
  { name: 'pyfetch', code: (url) => `import pyodide.http\n_track("pyfetch", pyodide.http.pyfetch(${JSON.stringify(url)}))` },
  { name: 'open_url', code: (url) => `import pyodide.http\nr = pyodide.http.open_url(${JSON.stringify(url)})\nprint("ESCAPED open_url:", r.read()[:40])` },
  { name: 'js.fetch', code: (url) => `import js\n_track("js.fetch", js.fetch(${JSON.stringify(url)}))` },
  {
    name: 'XMLHttpRequest',
    code: (url) =>
      `import js\nx = js.XMLHttpRequest.new()\nx.open("GET", ${JSON.stringify(url)}, False)\nx.send()\nprint("ESCAPED XMLHttpRequest: status", x.status)`,
  },
  {
    name: 'WebSocket',
    code: (_url, wsUrl) => `import js\nws = js.WebSocket.new(${JSON.stringify(wsUrl)})\n_track("WebSocket", _events(ws, ["open"], ["error", "close"]))`,
  },
  { name: 'importScripts', code: (url) => `import js\njs.importScripts(${JSON.stringify(url)})\nprint("ESCAPED importScripts")` },
  {
    name: 'dynamic-import',
    code: (url) => `import js\n_track("dynamic-import", js.eval(${JSON.stringify(`import('${url}')`)}))`,
  },
  {
    name: 'Worker',
    code: (url) => `import js\nw = js.Worker.new(${JSON.stringify(url)})\n_track("Worker", _events(w, ["message"], ["error"]))`,
  },
];

function cell(attempt: Attempt, url: string, wsUrl: string): string {
  const body = attempt
    .code(url, wsUrl)
    .split('\n')
    .map((line) => '    ' + line)
    .join('\n');
  return `${PRELUDE}\ntry:\n${body}\nexcept Exception as exc:\n    print(_blocked(${JSON.stringify(attempt.name)}, exc))\nelse:\n    if ${JSON.stringify(attempt.name)} in _escape_results:\n        print("STARTED ${attempt.name}")\n`;
}

/** The final outcome line of one attempt (re-checking asynchronous ones until they settle). */
async function outcomeOf(page: Page, attempt: Attempt, url: string, wsUrl: string): Promise<string> {
  const result = await runCode(page, cell(attempt, url, wsUrl));
  const text = await outputOf(result);
  const error = (await result.getByTestId('run-error').count()) > 0 ? await result.getByTestId('run-error').innerText() : '';
  if (!text.includes(`STARTED ${attempt.name}`)) {
    // Failed synchronously: either our except branch reported it, or the run reported an error.
    return text.trim() || (error ? `BLOCKED ${attempt.name}: run error: ${error}` : 'NO OUTPUT');
  }
  for (let i = 0; i < 12; i++) {
    await page.waitForTimeout(500);
    const check = await runCode(page, `${PRELUDE}\n_check(${JSON.stringify(attempt.name)})`);
    const line = (await outputOf(check)).trim();
    if (!line.startsWith('PENDING')) return line;
  }
  return `BLOCKED ${attempt.name}: still pending`;
}

test('every network and code-loading escape from Python fails and the server sees zero requests', async ({ page }) => {
  const consoleCsp: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) consoleCsp.push(msg.text());
  });
  await openApp(page);
  const url = `http://127.0.0.1:${port}/escape.js`;
  const wsUrl = `ws://127.0.0.1:${port}/socket`;

  const outcomes: Record<string, string> = {};
  for (const attempt of ATTEMPTS) {
    outcomes[attempt.name] = await outcomeOf(page, attempt, url, wsUrl);
  }
  console.log('escape outcomes:\n' + Object.entries(outcomes).map(([k, v]) => `  ${k}: ${v}`).join('\n'));
  for (const attempt of ATTEMPTS) {
    const outcome = outcomes[attempt.name]!;
    expect(outcome, attempt.name).toMatch(new RegExp(`^BLOCKED ${attempt.name.replace('.', '\\.')}:`));
    expect(outcome, attempt.name).not.toContain('ESCAPED');
  }

  // Give anything in flight time to arrive, then count.
  await page.waitForTimeout(1000);
  expect(seen).toEqual({ connections: 0, requests: 0, upgrades: 0 });

  // The counter works: a request from the test runner itself is seen.
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(seen.requests).toBe(1);

  // Python still works after all that.
  const ok = await runCode(page, 'print("still alive")');
  expect((await outputOf(ok)).trim()).toBe('still alive');
  if (consoleCsp.length > 0) console.log(`CSP reported ${consoleCsp.length} violation(s) in the console`);
});
