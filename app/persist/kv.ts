/**
 * A promise-based key-value store on IndexedDB (idb-keyval: one database, one object store).
 * Falls back to an in-memory map where IndexedDB is unavailable (tests, private modes).
 */
import { createStore, del, get, set } from 'idb-keyval';

const DB_NAME = 'pyvision-playground';
const STORE = 'kv';

export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}

export function memoryStore(): KeyValueStore {
  const map = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => map.get(key) as T | undefined,
    set: async (key, value) => void map.set(key, value),
    del: async (key) => void map.delete(key),
  };
}

export function indexedDbStore(): KeyValueStore {
  if (typeof indexedDB === 'undefined') return memoryStore();
  const store = createStore(DB_NAME, STORE);
  return {
    get: <T>(key: string) => get<T>(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
  };
}
