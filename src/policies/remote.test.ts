/**
 * The remote policy against a LOCAL FAKE SERVER on 127.0.0.1 (node:http): a real model server
 * (vLLM, Ollama, LM Studio) cannot run here, so the server below speaks the OpenAI
 * chat-completions wire format (SSE stream and plain JSON) the way those servers do.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentRun, type AgentEvent } from '../agent/loop';
import { buildPrompt, formatAnswer } from '../agent/protocol';
import { INTERACTIVE_LOOP, type PolicyContext } from '../agent/types';
import type { Pixels, PythonRuntime } from '../runtime/types';
import { makeUserTask } from '../tasks/userTask';
import { chatCompletionsUrl, createRemotePolicy } from './remote';

type Handler = (req: http.IncomingMessage, body: any, res: http.ServerResponse) => void;
let handler: Handler;
let server: http.Server;
let baseUrl: string;
let lastRequest: { headers: http.IncomingHttpHeaders; body: any; url: string } | null;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : null;
      lastRequest = { headers: req.headers, body, url: req.url ?? '' };
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  lastRequest = null;
});

const image: Pixels = { width: 4, height: 3, channels: 3, data: new Uint8Array(36).fill(128) };
const task = makeUserTask({ id: 'remote-1', question: 'What is it?', image });

function ctx(over: Partial<PolicyContext> = {}): PolicyContext & { deltas: string[] } {
  const deltas: string[] = [];
  return { messages: buildPrompt(task), images: [image], turn: 0, maxTurns: 30, task, signal: new AbortController().signal, onText: (d) => deltas.push(d), deltas, ...over };
}

function sse(res: http.ServerResponse, events: unknown[], opts: { done?: boolean; delayMs?: number } = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let i = 0;
  const send = () => {
    if (i < events.length) {
      const e = events[i++];
      res.write(`data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`);
      setTimeout(send, opts.delayMs ?? 0);
    } else {
      if (opts.done !== false) res.write('data: [DONE]\n\n');
      res.end();
    }
  };
  send();
}

const chunk = (content: string | null, finish: string | null = null, extra: Record<string, unknown> = {}) => ({
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish, ...extra }],
});

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

describe('remote policy: success paths', () => {
  it('streams deltas, sends the protocol request, and puts back the stripped </code>', async () => {
    handler = (_req, _body, res) => sse(res, [chunk('Let me zoom.\n<code>\n'), chunk('```python\nprint(1)\n'), chunk('```\n'), chunk(null, 'stop')]);
    const policy = createRemotePolicy({ baseUrl: `${baseUrl}/v1`, model: 'Agents-X/PyVision-Image-7B-RL', apiKey: 'sk-test', temperature: 0.6, maxTokens: 512 });
    const c = ctx();
    const turn = await policy.next(c);
    expect(turn.text).toBe('Let me zoom.\n<code>\n```python\nprint(1)\n```\n</code>');
    expect(c.deltas.join('')).toBe(turn.text);
    expect(turn.tokens.count).toBeGreaterThan(0);
    const req = lastRequest!;
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body).toMatchObject({ model: 'Agents-X/PyVision-Image-7B-RL', stop: ['</code>'], stream: true, temperature: 0.6, max_tokens: 512 });
    expect(req.body.messages[0]).toEqual({ role: 'system', content: expect.stringContaining('<code>') });
    expect(req.body.messages[1].content[1]).toEqual({ type: 'image_url', image_url: { url: expect.stringMatching(/^data:image\/png;base64,/) } });
  });

  it("uses vLLM's stop_reason, and does not append after an answer or a length cut", async () => {
    handler = (_req, _body, res) => sse(res, [chunk('<code>\n```python\nx=1\n```\n'), chunk(null, 'stop', { stop_reason: '</code>' })]);
    const policy = createRemotePolicy({ baseUrl, model: 'm' });
    expect((await policy.next(ctx())).text.endsWith('</code>')).toBe(true);
    handler = (_req, _body, res) => sse(res, [chunk(`Done.\n${formatAnswer('cat')}`), chunk(null, 'stop')]);
    expect((await policy.next(ctx())).text).toBe(`Done.\n${formatAnswer('cat')}`);
    handler = (_req, _body, res) => sse(res, [chunk('<code>\n```python\nprint(1'), chunk(null, 'length')]);
    expect((await policy.next(ctx())).text).toBe('<code>\n```python\nprint(1');
  });

  it('accepts a plain JSON reply (server without streaming), with usage and logprobs', async () => {
    handler = (_req, _body, res) =>
      json(res, 200, {
        choices: [{ message: { role: 'assistant', content: '<code>\n```python\nprint(2)\n```\n' }, finish_reason: 'stop', logprobs: { content: [{ token: '<code>', logprob: -0.1 }] } }],
        usage: { completion_tokens: 17 },
      });
    const turn = await createRemotePolicy({ baseUrl, model: 'm', stream: false, logprobs: true }).next(ctx());
    expect(lastRequest!.body).toMatchObject({ stream: false, logprobs: true });
    expect(turn.text).toBe('<code>\n```python\nprint(2)\n```\n</code>');
    expect(turn.tokens).toEqual({ count: 17, logprobs: [-0.1], pieces: ['<code>'] });
  });

  it('streams into the agent loop as text events', async () => {
    handler = (_req, _body, res) => sse(res, [chunk('It is '), chunk('grey.\n'), chunk(formatAnswer('grey')), chunk(null, 'stop')]);
    const unusedRuntime = { openSession: () => Promise.reject(new Error('no Python needed')) } as unknown as PythonRuntime;
    const events: AgentEvent[] = [];
    const run = new AgentRun({ task, policy: createRemotePolicy({ baseUrl, model: 'm' }), runtime: unusedRuntime, config: INTERACTIVE_LOOP, onEvent: (e) => events.push(e) });
    const t = await run.run();
    expect(t.endReason).toBe('DONE');
    expect(t.turns[0]!.answer).toBe('grey');
    expect(events.filter((e) => e.type === 'text').map((e) => (e as { delta: string }).delta)).toEqual(['It is ', 'grey.\n', formatAnswer('grey')]);
  });
});

describe('remote policy: errors are clear', () => {
  it('401/403: the API key, with the server message', async () => {
    handler = (_req, _body, res) => json(res, 401, { error: { message: 'Invalid API key provided', type: 'invalid_request_error' } });
    await expect(createRemotePolicy({ baseUrl, model: 'm', apiKey: 'bad' }).next(ctx())).rejects.toThrow(/HTTP 401\): check the API key: Invalid API key provided/);
    handler = (_req, _body, res) => json(res, 403, { detail: 'Forbidden model' });
    await expect(createRemotePolicy({ baseUrl, model: 'm' }).next(ctx())).rejects.toThrow(/HTTP 403.*Forbidden model/);
  });

  it("other HTTP errors carry the server's message", async () => {
    handler = (_req, _body, res) => json(res, 400, { object: 'error', message: "This model's maximum context length is 32768 tokens" });
    await expect(createRemotePolicy({ baseUrl, model: 'm' }).next(ctx())).rejects.toThrow(/HTTP 400.*maximum context length is 32768/);
    handler = (_req, _body, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream exploded');
    };
    await expect(createRemotePolicy({ baseUrl, model: 'm' }).next(ctx())).rejects.toThrow(/HTTP 502.*upstream exploded/);
  });

  it('an unreachable host', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    await expect(createRemotePolicy({ baseUrl: `http://127.0.0.1:${port}`, model: 'm' }).next(ctx())).rejects.toThrow(/Cannot reach the model server at http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/);
  });

  it('malformed and empty replies', async () => {
    const p = createRemotePolicy({ baseUrl, model: 'm' });
    handler = (_req, _body, res) => json(res, 200, '<html>not json</html>');
    await expect(p.next(ctx())).rejects.toThrow(/not JSON: <html>not json<\/html>/);
    handler = (_req, _body, res) => json(res, 200, { choices: [] });
    await expect(p.next(ctx())).rejects.toThrow(/no choices\[0\]\.message\.content/);
    handler = (_req, _body, res) => json(res, 200, { choices: [{ message: { content: '' }, finish_reason: 'stop' }] });
    await expect(p.next(ctx())).rejects.toThrow(/empty response/);
    handler = (_req, _body, res) => sse(res, ['{broken']);
    await expect(p.next(ctx())).rejects.toThrow(/malformed stream event: \{broken/);
    handler = (_req, _body, res) => sse(res, [], { done: true });
    await expect(p.next(ctx())).rejects.toThrow(/without any data events/);
    handler = (_req, _body, res) => sse(res, [{ error: { message: 'CUDA out of memory' } }]);
    await expect(p.next(ctx())).rejects.toThrow(/mid-stream: CUDA out of memory/);
  });

  it('honours the AbortSignal mid-stream', async () => {
    handler = (_req, _body, res) => sse(res, Array.from({ length: 200 }, () => chunk('tok ')), { delayMs: 20 });
    const ac = new AbortController();
    const c = ctx({ signal: ac.signal });
    const pending = createRemotePolicy({ baseUrl, model: 'm' }).next(c);
    setTimeout(() => ac.abort(), 100);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    // Some text streamed in, and the stream was cut well before its 200 chunks.
    expect(c.deltas.length).toBeGreaterThan(0);
    expect(c.deltas.length).toBeLessThan(100);
  });
});

describe('chatCompletionsUrl', () => {
  it('accepts the bases people type', () => {
    expect(chatCompletionsUrl('http://localhost:8000/v1')).toBe('http://localhost:8000/v1/chat/completions');
    expect(chatCompletionsUrl('http://localhost:11434/')).toBe('http://localhost:11434/v1/chat/completions');
    expect(chatCompletionsUrl(' http://h:1234/v1/chat/completions ')).toBe('http://h:1234/v1/chat/completions');
  });
});
