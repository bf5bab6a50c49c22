/**
 * src/rl's RunStore on IndexedDB (idb-keyval, a database of its own): every file of every run
 * is one entry keyed `<runId>/<path>` holding its bytes. The worker writes through it while it
 * trains; the page reads the same database (charts after a reload, the inspector, export), so a
 * reload loses nothing that was written.
 *
 * `append` is a read-modify-write inside ONE readwrite transaction (idb-keyval `update`), so
 * concurrent appends cannot lose lines. Listing uses a key range, not a scan of every key.
 */
import { createStore, delMany, get, promisifyRequest, setMany, update, type UseStore } from 'idb-keyval';
import type { RunStore } from '../../src/rl/runStore';

export const RL_FILES_DB = 'pyvision-rl-files';

let db: UseStore | null = null;
export function filesDb(): UseStore {
  if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available here: runs cannot be kept');
  db ??= createStore(RL_FILES_DB, 'files');
  return db;
}

/** A RunStore that can also list and remove its files (checkpoint pruning, resume clean-up). */
export interface ListableRunStore extends RunStore {
  /** Paths (relative to the run) starting with `prefix`, sorted. */
  list(prefix?: string): Promise<string[]>;
  remove(paths: string[]): Promise<void>;
}

const utf8 = new TextEncoder();

function concat(a: Uint8Array | undefined, text: string): Uint8Array {
  const add = utf8.encode(text);
  if (!a?.length) return add;
  const both = new Uint8Array(a.length + add.length);
  both.set(a);
  both.set(add, a.length);
  return both;
}

/** Keys of one run (or of one folder in it), in key order. */
export async function listKeys(prefix: string): Promise<string[]> {
  const range = IDBKeyRange.bound(prefix, prefix + '\uffff');
  const keys = await filesDb()('readonly', (s) => promisifyRequest(s.getAllKeys(range)));
  return keys.map(String);
}

export function idbRunStore(runId: string): ListableRunStore {
  const key = (p: string) => `${runId}/${p}`;
  return {
    async read(p) {
      const v = await get<Uint8Array>(key(p), filesDb());
      return v ?? null;
    },
    async write(p, bytes) {
      // A copy: the caller may reuse (or transfer) its buffer.
      await setMany([[key(p), bytes.slice()]], filesDb());
    },
    async append(p, text) {
      await update<Uint8Array>(key(p), (old) => concat(old, text), filesDb());
    },
    async list(prefix = '') {
      const n = runId.length + 1;
      return (await listKeys(key(prefix))).map((k) => k.slice(n));
    },
    async remove(paths) {
      if (paths.length) await delMany(paths.map(key), filesDb());
    },
  };
}

/** Writes a whole run's files in one transaction (import: all or nothing). */
export async function writeRunFiles(runId: string, files: Map<string, Uint8Array>): Promise<void> {
  await setMany([...files].map(([p, b]) => [`${runId}/${p}`, b] as [IDBValidKey, Uint8Array]), filesDb());
}

export async function deleteRunFiles(runId: string): Promise<void> {
  const keys = await listKeys(`${runId}/`);
  if (keys.length) await delMany(keys, filesDb());
}
