/**
 * The runs list (history): one small entry per run in an IndexedDB database of its own (the
 * files, checkpoints included, are in workers/rl/idbRunStore's database), so listing never
 * reads a run's bytes. Deleting a run deletes its files first, then its entry.
 */
import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import type { RlConfig } from '../../src/rl/config';
import { deleteRunFiles } from '../../workers/rl/idbRunStore';

export type RunStatus = 'running' | 'paused' | 'stopped' | 'done' | 'error' | 'interrupted';

export interface RunMeta {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  status: RunStatus;
  /** Steps finished (logged). */
  step: number;
  steps: number;
  /** Step of the newest checkpoint: where a resume continues from. */
  checkpointStep: number | null;
  config: RlConfig;
  /** The weights the run started from. */
  weights: { name: string; contentHash: string } | null;
  /** The collapse demo's two arms share a twin id. */
  twin: { id: string; arm: 'A' | 'B' } | null;
  error: string | null;
}

let db: UseStore | null = null;
function runsDb(): UseStore {
  if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available in this browser: runs cannot be kept');
  db ??= createStore('pyvision-rl-runs', 'runs');
  return db;
}

/** Newest first. */
export async function listRuns(): Promise<RunMeta[]> {
  const all = (await values<RunMeta>(runsDb())).filter((r) => r && typeof r.id === 'string');
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

export const getRun = (id: string): Promise<RunMeta | undefined> => get<RunMeta>(id, runsDb());

export async function putRun(meta: RunMeta): Promise<void> {
  await set(meta.id, { ...meta, updatedAt: Date.now() }, runsDb());
}

export async function deleteRun(id: string): Promise<void> {
  await deleteRunFiles(id);
  await del(id, runsDb());
}

/** A fresh, sortable, collision-free id. */
export function newRunId(): string {
  const rand = Math.random().toString(36).slice(2, 8);
  return `run-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${rand}`;
}
