/**
 * A policy on any OpenAI-compatible chat-completions endpoint (vLLM serving
 * Agents-X/PyVision-Image-7B-RL, Ollama, LM Studio). Images go as PNG data URLs; generation stops
 * at `</code>` like PyVision's client, and the stop string, which servers strip, is put back so
 * the turn text keeps the protocol's shape. Streams over SSE when the server does, and accepts a
 * plain JSON reply otherwise. Nothing is sent anywhere until the user configures a URL.
 */
import { estimateTextTokens } from '../agent/protocol';
import { toOpenAIContent } from '../agent/exportFormats';
import type { Policy, PolicyContext, PolicyTurn, TokenInfo } from '../agent/types';

export interface RemotePolicyOptions {
  /** Server root or its /v1 (…/v1/chat/completions is also accepted as is). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
  /** Stream the reply (default true); a server that answers with plain JSON is handled too. */
  stream?: boolean;
  /** Ask for token log-probs (vLLM supports it; others may ignore it). */
  logprobs?: boolean;
  fetchImpl?: typeof fetch;
  name?: string;
}

const STOP = '</code>';

/** …/v1/chat/completions from whatever base the user typed. */
export function chatCompletionsUrl(baseUrl: string): string {
  const base = baseUrl.trim().replace(/\/+$/, '');
  if (/\/chat\/completions$/.test(base)) return base;
  if (/\/v\d+$/.test(base)) return `${base}/chat/completions`;
  return `${base}/v1/chat/completions`;
}

export function createRemotePolicy(opts: RemotePolicyOptions): Policy {
  const url = chatCompletionsUrl(opts.baseUrl);
  const doFetch = opts.fetchImpl ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  return {
    name: opts.name ?? `remote:${opts.model}`,
    kind: 'remote',
    async next(ctx: PolicyContext): Promise<PolicyTurn> {
      const stream = opts.stream ?? true;
      const body: Record<string, unknown> = {
        model: opts.model,
        messages: ctx.messages.map(wireMessage(ctx)),
        stop: [STOP],
        stream,
      };
      if (opts.temperature !== undefined) body.temperature = opts.temperature;
      if (opts.maxTokens !== undefined) body.max_tokens = opts.maxTokens;
      if (opts.logprobs) body.logprobs = true;
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream, application/json' : 'application/json' };
      if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;

      let res: Response;
      try {
        res = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: ctx.signal });
      } catch (err) {
        if (isAbort(err, ctx.signal)) throw abortError();
        throw new Error(`Cannot reach the model server at ${url} (${errMsg(err)}). Is it running, and does it allow requests from this page (CORS)?`);
      }
      if (!res.ok) throw await httpError(res, url);

      const type = res.headers.get('content-type') ?? '';
      let reply: Reply;
      try {
        reply = type.includes('text/event-stream') ? await readStream(res, ctx) : parseJsonReply(await res.text());
      } catch (err) {
        if (isAbort(err, ctx.signal)) throw abortError();
        throw err instanceof RemoteReplyError ? err : new Error(`The model server's reply broke off: ${errMsg(err)}`);
      }
      let text = reply.text;
      if (!text.trim()) throw new RemoteReplyError(`The model server returned an empty response (finish reason: ${reply.finish ?? 'none'}).`);
      if (stoppedAtCode(text, reply)) {
        text += STOP;
        ctx.onText?.(STOP);
      }
      const tokens: TokenInfo = { count: reply.completionTokens ?? estimateTextTokens(text) };
      if (reply.logprobs.length) {
        tokens.logprobs = reply.logprobs.map((l) => l.logprob);
        tokens.pieces = reply.logprobs.map((l) => l.token);
      }
      return { text, tokens };
    },
  };
}

/**
 * One message on the wire: text-only messages as a plain string (every OpenAI-compatible server
 * accepts that for every role; some reject part arrays for system/assistant), others as parts.
 */
function wireMessage(ctx: PolicyContext) {
  return (m: PolicyContext['messages'][number]) => {
    const text = m.content.every((p) => p.type === 'text');
    return { role: m.role, content: text ? m.content.map((p) => (p.type === 'text' ? p.text : '')).join('') : toOpenAIContent(m.content, ctx.images) };
  };
}

interface Reply {
  text: string;
  finish: string | null;
  /** vLLM reports the matched stop string here. */
  stopReason: string | null;
  completionTokens: number | null;
  logprobs: Array<{ token: string; logprob: number }>;
}

class RemoteReplyError extends Error {}

/**
 * Whether generation stopped at `</code>` (so it must be put back): vLLM says so in stop_reason;
 * otherwise a 'stop' finish with a <code> block still open means the stop string matched.
 */
function stoppedAtCode(text: string, r: Reply): boolean {
  if (text.endsWith(STOP)) return false;
  if (r.stopReason === STOP) return true;
  return r.finish === 'stop' && text.lastIndexOf('<code>') > text.lastIndexOf(STOP);
}

function parseJsonReply(raw: string): Reply {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new RemoteReplyError(`The model server's reply is not JSON: ${snippet(raw)}`);
  }
  const choice = (data as { choices?: unknown[] })?.choices?.[0] as Record<string, unknown> | undefined;
  const message = choice?.message as { content?: unknown } | undefined;
  if (!choice || !message || (typeof message.content !== 'string' && message.content !== null)) {
    throw new RemoteReplyError(`The model server's reply has no choices[0].message.content: ${snippet(raw)}`);
  }
  const usage = (data as { usage?: { completion_tokens?: unknown } }).usage;
  return {
    text: (message.content as string | null) ?? '',
    finish: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
    stopReason: typeof choice.stop_reason === 'string' ? choice.stop_reason : null,
    completionTokens: typeof usage?.completion_tokens === 'number' ? usage.completion_tokens : null,
    logprobs: readLogprobs(choice.logprobs),
  };
}

function readLogprobs(lp: unknown): Reply['logprobs'] {
  const content = (lp as { content?: unknown } | null)?.content;
  if (!Array.isArray(content)) return [];
  return content
    .filter((t): t is { token: string; logprob: number } => typeof t?.token === 'string' && typeof t?.logprob === 'number')
    .map((t) => ({ token: t.token, logprob: t.logprob }));
}

/** Reads an SSE stream of chat.completion.chunk events, passing each text delta to onText. */
async function readStream(res: Response, ctx: PolicyContext): Promise<Reply> {
  if (!res.body) throw new RemoteReplyError('The model server sent an empty stream.');
  const reply: Reply = { text: '', finish: null, stopReason: null, completionTokens: null, logprobs: [] };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let events = 0;
  let done = false;
  const onAbort = () => void reader.cancel().catch(() => {});
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!done) {
      const chunk = await reader.read();
      if (ctx.signal.aborted) throw abortError();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let nl: number;
      while ((nl = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, nl);
        buffer = buffer.slice(nl).replace(/^\r?\n\r?\n/, '');
        const data = block
          .split(/\r?\n/)
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).replace(/^ /, ''))
          .join('\n');
        if (!data) continue;
        if (data.trim() === '[DONE]') {
          done = true;
          break;
        }
        events++;
        applyChunk(reply, data, ctx);
      }
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  if (ctx.signal.aborted) throw abortError();
  if (buffer.trim() && !done) {
    const data = buffer.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
    if (data && data !== '[DONE]') {
      events++;
      applyChunk(reply, data, ctx);
    }
  }
  if (events === 0) throw new RemoteReplyError('The model server sent a stream without any data events.');
  return reply;
}

function applyChunk(reply: Reply, data: string, ctx: PolicyContext): void {
  let chunk: Record<string, unknown>;
  try {
    chunk = JSON.parse(data);
  } catch {
    throw new RemoteReplyError(`The model server sent a malformed stream event: ${snippet(data)}`);
  }
  if (chunk.error) throw new RemoteReplyError(`The model server reported an error mid-stream: ${serverMessage(chunk) ?? snippet(data)}`);
  const usage = chunk.usage as { completion_tokens?: unknown } | undefined;
  if (typeof usage?.completion_tokens === 'number') reply.completionTokens = usage.completion_tokens;
  const choice = (chunk.choices as Array<Record<string, unknown>> | undefined)?.[0];
  if (!choice) return; // usage-only or keep-alive chunks
  const delta = choice.delta as { content?: unknown } | undefined;
  if (typeof delta?.content === 'string' && delta.content) {
    reply.text += delta.content;
    ctx.onText?.(delta.content);
  }
  if (typeof choice.finish_reason === 'string') reply.finish = choice.finish_reason;
  if (typeof choice.stop_reason === 'string') reply.stopReason = choice.stop_reason;
  reply.logprobs.push(...readLogprobs(choice.logprobs));
}

async function httpError(res: Response, url: string): Promise<Error> {
  const raw = await res.text().catch(() => '');
  let msg: string | null = null;
  try {
    msg = serverMessage(JSON.parse(raw));
  } catch {
    msg = raw.trim() ? snippet(raw) : null;
  }
  const detail = msg ? `: ${msg}` : '';
  if (res.status === 401 || res.status === 403) {
    return new Error(`The model server at ${url} refused the request (HTTP ${res.status}): check the API key${detail}`);
  }
  if (res.status === 404) return new Error(`The model server at ${url} answered HTTP 404 (wrong URL or model name?)${detail}`);
  return new Error(`The model server at ${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${detail}`);
}

/** The message in OpenAI-style ({error: {message}}), FastAPI-style ({detail}) or plain ({message}) error bodies. */
function serverMessage(body: unknown): string | null {
  const b = body as { error?: unknown; detail?: unknown; message?: unknown } | null;
  if (!b || typeof b !== 'object') return null;
  if (typeof b.error === 'string') return b.error;
  const e = b.error as { message?: unknown } | undefined;
  if (typeof e?.message === 'string') return e.message;
  if (typeof b.detail === 'string') return b.detail;
  if (typeof b.message === 'string') return b.message;
  return null;
}

function snippet(s: string): string {
  const t = s.trim().replace(/\s+/g, ' ');
  return t.length > 200 ? `${t.slice(0, 200)}…` : t || '(empty)';
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err as { name?: string })?.name === 'AbortError';
}

function abortError(): Error {
  return new DOMException('The generation was cancelled.', 'AbortError');
}

function errMsg(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(err)}${cause ? ` — ${cause}` : ''}`;
}
