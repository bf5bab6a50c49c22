/**
 * The shipped weights (public/models/<name>/: model.json, weights.bin, tokenizer.json, card.json),
 * fetched from the app's own origin with a byte-progress bar and kept in the Cache API so the
 * next start (or an offline one) does not download them again. Two sets ship (SHIPPED_MODELS):
 * the policy itself and the interaction-collapse demo's start.
 *
 * Cache keys carry the weights' content hash (`weights.bin?sha256=…`): when the server has new
 * weights, model.json's hash changes and the new shard is downloaded; when the server cannot be
 * reached, the last cached set is used.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TokenizerJson } from '../../src/model/tokenizer';
import { artifactsFromModelJson, parseModelJson, SHARD_NAME } from './weightFiles';

export const MODEL_CACHE = 'pyvision-models-v1';

export interface ShippedProgress {
  loaded: number;
  total: number;
  label: string;
}

export interface ShippedWeights {
  artifacts: tf.io.ModelArtifacts;
  tokenizer: TokenizerJson | null;
  card: Record<string, unknown> | null;
  fromCache: boolean;
}

/** The weight sets shipped in public/models/, by folder name. */
export const SHIPPED_MODELS = {
  tiny: { label: 'the shipped policy' },
  /**
   * The collapse demo's start (cli/demoCollapse.ts, DEFAULT_INIT): the policy fine-tuned to
   * answer glance questions directly most of the time, so GRPO can move tool use either way.
   */
  'collapse-start': { label: 'the collapse-demo start' },
} as const;
export type ShippedModelName = keyof typeof SHIPPED_MODELS;
export const DEFAULT_SHIPPED: ShippedModelName = 'tiny';

export function isShippedModelName(v: unknown): v is ShippedModelName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(SHIPPED_MODELS, v);
}

/** Where a shipped weight set is served, relative to the app's base URL. */
export function shippedBaseUrl(name: ShippedModelName = DEFAULT_SHIPPED): string {
  return new URL(`${import.meta.env.BASE_URL}models/${name}/`, location.href).href;
}

async function openCache(): Promise<Cache | null> {
  try {
    return typeof caches !== 'undefined' ? await caches.open(MODEL_CACHE) : null;
  } catch {
    return null; // e.g. storage disabled: work without a cache
  }
}

const LATEST = 'latest-model.json';

/** Reads a response body with progress (the total from Content-Length, or `expected`). */
async function readWithProgress(res: Response, expected: number, onProgress: (loaded: number, total: number) => void): Promise<ArrayBuffer> {
  const total = Number(res.headers.get('Content-Length')) || expected;
  if (!res.body) {
    const buf = await res.arrayBuffer();
    onProgress(buf.byteLength, total);
    return buf;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress(loaded, Math.max(total, loaded));
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out.buffer;
}

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url, { cache: 'no-cache' });
  if (!res.ok) throw new Error(`${new URL(url).pathname}: HTTP ${res.status}`);
  return res;
}

async function optionalJson<T>(url: string, cache: Cache | null, key: string): Promise<T | null> {
  try {
    const res = await fetchOk(url);
    const text = await res.text();
    await cache?.put(key, new Response(text, { headers: { 'Content-Type': 'application/json' } }));
    return JSON.parse(text) as T;
  } catch {
    const hit = await cache?.match(key);
    return hit ? ((await hit.json()) as T) : null;
  }
}

function expectedBytes(json: tf.io.ModelJSON): number {
  let n = 0;
  for (const g of json.weightsManifest) for (const w of g.weights) n += w.shape.reduce((a, b) => a * b, 1) * 4;
  return n;
}

/** Deletes cached files of older versions of one shipped set (under `base`): one version is kept per set. */
async function dropStale(cache: Cache, base: string, hash: string): Promise<void> {
  try {
    for (const req of await cache.keys()) {
      if (!req.url.startsWith(base)) continue;
      const h = new URL(req.url).searchParams.get('sha256');
      if (h !== null && h !== hash) await cache.delete(req);
    }
  } catch {
    /* a cache that cannot be listed is only bigger than needed */
  }
}

/** Fetches (or reads from the cache) a shipped weight set; throws a clear error when neither works. */
export async function loadShippedWeights(onProgress: (p: ShippedProgress) => void, name: ShippedModelName = DEFAULT_SHIPPED): Promise<ShippedWeights> {
  const base = shippedBaseUrl(name);
  const cache = await openCache();
  let jsonText: string;
  let fromCache = false;
  onProgress({ loaded: 0, total: 0, label: 'model.json' });
  try {
    jsonText = await (await fetchOk(base + 'model.json')).text();
  } catch (err) {
    const hit = await cache?.match(base + LATEST);
    if (!hit) throw new Error(`${SHIPPED_MODELS[name].label} (models/${name}) could not be fetched (${err instanceof Error ? err.message : String(err)}) and none are cached`);
    jsonText = await hit.text();
    fromCache = true;
  }
  const json = parseModelJson(jsonText, `models/${name}/model.json`);
  const meta = (json.userDefinedMetadata ?? {}) as { contentHash?: string };
  const hash = typeof meta.contentHash === 'string' ? meta.contentHash : 'unhashed';
  const key = (name: string) => `${base}${name}?sha256=${hash}`;
  const shards = new Map<string, ArrayBuffer>();
  const total = expectedBytes(json);
  let before = 0;
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const hit = await cache?.match(key(p));
      let buf: ArrayBuffer;
      if (hit) {
        buf = await hit.arrayBuffer();
        fromCache = true;
      } else {
        const res = await fetchOk(base + p);
        buf = await readWithProgress(res, total - before, (loaded) => onProgress({ loaded: before + loaded, total, label: p }));
        // Cached only once complete, so a cut-off download is never reused.
        await cache?.put(key(p), new Response(buf, { headers: { 'Content-Type': 'application/octet-stream' } }));
      }
      before += buf.byteLength;
      onProgress({ loaded: before, total, label: hit ? `${p} (from cache)` : p });
      shards.set(p, buf);
    }
  }
  await cache?.put(base + LATEST, new Response(jsonText, { headers: { 'Content-Type': 'application/json' } }));
  if (cache) await dropStale(cache, base, hash);
  const artifacts = await artifactsFromModelJson(json, (p) => shards.get(p));
  const tokenizer = await optionalJson<TokenizerJson>(base + 'tokenizer.json', cache, key('tokenizer.json'));
  const card = await optionalJson<Record<string, unknown>>(base + 'card.json', cache, key('card.json'));
  return { artifacts, tokenizer, card, fromCache };
}

export { SHARD_NAME };
