/**
 * The last trajectories, kept across reloads (IndexedDB) as our record JSON, with a cap on their
 * number and total size: the oldest are dropped first. Framework-free.
 */
import type { KeyValueStore } from './kv';

export const MAX_SAVED = 24;
export const MAX_SAVED_CHARS = 48 * 1024 * 1024;
const INDEX_KEY = 'trajectories/index';
const itemKey = (id: string) => `trajectories/${id}`;

export interface SavedEntry {
  id: string;
  chars: number;
  savedAt: number;
  /** Frames fetched from the video while it ran (shown in the viewer). */
  frames?: number[];
}

export class SavedTrajectories {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly maxItems = MAX_SAVED,
    private readonly maxChars = MAX_SAVED_CHARS,
  ) {}

  /** Serialise every change: index updates must not interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }

  async index(): Promise<SavedEntry[]> {
    const list = await this.kv.get<SavedEntry[]>(INDEX_KEY);
    return Array.isArray(list) ? list : [];
  }

  /** Saves (or replaces) one record; returns the ids dropped to stay within the caps. */
  save(id: string, json: string, frames?: number[]): Promise<string[]> {
    return this.serial(async () => {
      if (json.length > this.maxChars) return [];
      let list = (await this.index()).filter((e) => e.id !== id);
      list.push({ id, chars: json.length, savedAt: Date.now(), ...(frames ? { frames } : {}) });
      const dropped: string[] = [];
      let total = list.reduce((n, e) => n + e.chars, 0);
      while (list.length > this.maxItems || total > this.maxChars) {
        const old = list.shift()!;
        total -= old.chars;
        dropped.push(old.id);
      }
      await this.kv.set(itemKey(id), json);
      for (const d of dropped) await this.kv.del(itemKey(d));
      await this.kv.set(INDEX_KEY, list);
      list = [];
      return dropped;
    });
  }

  load(id: string): Promise<string | undefined> {
    return this.kv.get<string>(itemKey(id));
  }

  remove(id: string): Promise<void> {
    return this.serial(async () => {
      await this.kv.del(itemKey(id));
      await this.kv.set(
        INDEX_KEY,
        (await this.index()).filter((e) => e.id !== id),
      );
    });
  }
}
