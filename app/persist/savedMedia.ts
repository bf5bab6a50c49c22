/**
 * Uploaded images and videos kept in IndexedDB so that they survive a reload: the file itself
 * (a Blob: IndexedDB stores it as a file on disk, not in memory), its name, type, kind and the
 * question asked about it. Only the newest few files are kept, each at most `maxFileBytes`, all
 * together at most `maxTotalBytes`; `clear()` forgets them all. Framework-free: tests run it in
 * Node on the in-memory store.
 *
 * Layout in the key-value store: one index (newest first) and one key per file, so listing never
 * reads file data.
 */
import type { KeyValueStore } from './kv';

export const SAVED_MEDIA_INDEX_KEY = 'media.saved.v1';
const blobKey = (id: string) => `media.saved.v1.${id}`;

export const SAVED_MEDIA_MAX_FILES = 3;
export const SAVED_MEDIA_MAX_FILE_BYTES = 512 * 1024 * 1024;
export const SAVED_MEDIA_MAX_TOTAL_BYTES = 1024 * 1024 * 1024;

export interface SavedMediaInfo {
  id: string;
  name: string;
  /** MIME type ('' when the browser gave none). */
  type: string;
  size: number;
  kind: 'image' | 'video';
  question: string;
  /** ms since the epoch; the newest is restored on load. */
  savedAt: number;
}

export type SaveResult = { saved: SavedMediaInfo; dropped: string[] } | { skipped: string };

export interface SavedMediaLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

export class SavedMedia {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly limits: SavedMediaLimits;

  constructor(
    private readonly kv: KeyValueStore,
    limits: Partial<SavedMediaLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { maxFiles: SAVED_MEDIA_MAX_FILES, maxFileBytes: SAVED_MEDIA_MAX_FILE_BYTES, maxTotalBytes: SAVED_MEDIA_MAX_TOTAL_BYTES, ...limits };
  }

  /** One operation at a time: the index is read, changed and written back. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.chain.then(op);
    this.chain = result.catch(() => {});
    return result;
  }

  private async readIndex(): Promise<SavedMediaInfo[]> {
    const index = await this.kv.get<SavedMediaInfo[]>(SAVED_MEDIA_INDEX_KEY);
    return Array.isArray(index) ? index : [];
  }

  /** Newest first. */
  list(): Promise<SavedMediaInfo[]> {
    return this.serial(() => this.readIndex());
  }

  /**
   * Keeps `blob`; the same file uploaded again (name, size and type) replaces its old entry.
   * Older entries beyond the caps are dropped (their ids are returned).
   */
  save(blob: Blob, meta: { name: string; kind: 'image' | 'video'; question?: string }): Promise<SaveResult> {
    return this.serial(async () => {
      if (blob.size > this.limits.maxFileBytes) {
        return { skipped: `"${meta.name}" is ${mb(blob.size)}; files over ${mb(this.limits.maxFileBytes)} are not kept across reloads` };
      }
      const index = await this.readIndex();
      const same = index.find((e) => e.name === meta.name && e.size === blob.size && e.type === blob.type);
      const info: SavedMediaInfo = {
        id: same?.id ?? `${this.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        name: meta.name,
        type: blob.type,
        size: blob.size,
        kind: meta.kind,
        question: meta.question ?? '',
        savedAt: this.now(),
      };
      // The file first, then the index: a failure (quota) never leaves an entry without data.
      try {
        await this.kv.set(blobKey(info.id), blob);
      } catch (err) {
        return { skipped: `the browser refused to keep "${meta.name}" (${err instanceof Error ? err.name || err.message : String(err)})` };
      }
      const kept: SavedMediaInfo[] = [info];
      const dropped: string[] = [];
      let total = info.size;
      for (const e of index) {
        if (e.id === info.id) continue;
        if (kept.length < this.limits.maxFiles && total + e.size <= this.limits.maxTotalBytes) {
          kept.push(e);
          total += e.size;
        } else dropped.push(e.id);
      }
      await this.kv.set(SAVED_MEDIA_INDEX_KEY, kept);
      for (const id of dropped) await this.kv.del(blobKey(id));
      return { saved: info, dropped };
    });
  }

  /** The file and its entry, or null when it is gone (also repairs an entry without data). */
  load(id: string): Promise<{ info: SavedMediaInfo; blob: Blob } | null> {
    return this.serial(async () => {
      const index = await this.readIndex();
      const info = index.find((e) => e.id === id);
      if (!info) return null;
      const blob = await this.kv.get<Blob>(blobKey(id));
      if (!blob) {
        await this.kv.set(SAVED_MEDIA_INDEX_KEY, index.filter((e) => e.id !== id));
        return null;
      }
      return { info, blob };
    });
  }

  /** Marks an entry as the newest (it was reopened), so it is the one restored next time. */
  touch(id: string): Promise<void> {
    return this.serial(async () => {
      const index = await this.readIndex();
      const entry = index.find((e) => e.id === id);
      if (!entry) return;
      await this.kv.set(SAVED_MEDIA_INDEX_KEY, [{ ...entry, savedAt: this.now() }, ...index.filter((e) => e.id !== id)]);
    });
  }

  setQuestion(id: string, question: string): Promise<void> {
    return this.serial(async () => {
      const index = await this.readIndex();
      if (!index.some((e) => e.id === id)) return;
      await this.kv.set(
        SAVED_MEDIA_INDEX_KEY,
        index.map((e) => (e.id === id ? { ...e, question } : e)),
      );
    });
  }

  remove(id: string): Promise<void> {
    return this.serial(async () => {
      const index = await this.readIndex();
      await this.kv.set(SAVED_MEDIA_INDEX_KEY, index.filter((e) => e.id !== id));
      await this.kv.del(blobKey(id));
    });
  }

  /** Forgets every saved upload. */
  clear(): Promise<void> {
    return this.serial(async () => {
      const index = await this.readIndex();
      await this.kv.del(SAVED_MEDIA_INDEX_KEY);
      for (const e of index) await this.kv.del(blobKey(e.id));
    });
  }
}
