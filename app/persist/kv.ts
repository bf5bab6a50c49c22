/**
 * A minimal promise-based key-value store on IndexedDB (one database, one object store).
 * Falls back to an in-memory map where IndexedDB is unavailable (tests, private modes).
 */
const DB_NAME = 'pyvision-playground';
const STORE = 'kv';

export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
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
  let db: Promise<IDBDatabase> | null = null;
  const open = () =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB cannot be opened'));
    }));
  const withStore = async <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const tx = (await open()).transaction(STORE, mode);
    return request(fn(tx.objectStore(STORE)));
  };
  return {
    get: <T>(key: string) => withStore('readonly', (s) => s.get(key) as IDBRequest<T | undefined>),
    set: async (key, value) => void (await withStore('readwrite', (s) => s.put(value, key))),
    del: async (key) => void (await withStore('readwrite', (s) => s.delete(key))),
  };
}
