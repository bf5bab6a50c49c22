/**
 * Weights saved in this browser (IndexedDB through idb-keyval, a database of their own so the
 * trajectory store stays small): `meta:<name>` holds what the list shows, `data:<name>` the
 * artifacts themselves (structured-cloned, ArrayBuffer included). Listing reads metadata only.
 */
import type * as tf from '@tensorflow/tfjs';
import { createStore, del, getMany, keys, setMany, type UseStore } from 'idb-keyval';
import type { WeightsInfo } from './weightFiles';
import { isShippedModelName, type ShippedModelName } from './shippedWeights';

export interface SavedWeightsEntry {
  /** The name it is saved under (unique key). */
  key: string;
  info: WeightsInfo;
  savedAt: number;
}

interface SavedData {
  artifacts: tf.io.ModelArtifacts;
  card: Record<string, unknown> | null;
}

let store: UseStore | null = null;
function db(): UseStore {
  if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available in this browser');
  store ??= createStore('pyvision-weights', 'weights');
  return store;
}

export const MAX_NAME = 80;

export function cleanName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (!n) throw new Error('give the weights a name');
  if (n.length > MAX_NAME) throw new Error(`the name is longer than ${MAX_NAME} characters`);
  return n;
}

export async function listSaved(): Promise<SavedWeightsEntry[]> {
  const metaKeys = (await keys(db())).filter((k): k is string => typeof k === 'string' && k.startsWith('meta:'));
  const entries = (await getMany<SavedWeightsEntry>(metaKeys, db())).filter((e): e is SavedWeightsEntry => !!e);
  return entries.sort((a, b) => b.savedAt - a.savedAt);
}

export async function saveWeights(name: string, info: WeightsInfo, artifacts: tf.io.ModelArtifacts, card: Record<string, unknown> | null): Promise<SavedWeightsEntry> {
  const key = cleanName(name);
  const entry: SavedWeightsEntry = { key, info: { ...info, source: 'saved' }, savedAt: Date.now() };
  // One transaction: the list never shows an entry whose data is missing.
  await setMany(
    [
      [`data:${key}`, { artifacts, card } satisfies SavedData],
      [`meta:${key}`, entry],
    ],
    db(),
  );
  return entry;
}

export async function loadSaved(key: string): Promise<SavedData & { entry: SavedWeightsEntry }> {
  const [entry, data] = await getMany<unknown>([`meta:${key}`, `data:${key}`], db());
  if (!entry || !data) throw new Error(`no saved weights named "${key}" in this browser`);
  return { ...(data as SavedData), entry: entry as SavedWeightsEntry };
}

export async function deleteSaved(key: string): Promise<void> {
  await del(`meta:${key}`, db());
  await del(`data:${key}`, db());
}

/** Remembered across reloads: which weights to load on start. */
export type WeightsSelection = { kind: 'shipped'; name?: ShippedModelName } | { kind: 'saved'; key: string };
const SELECTION_KEY = 'pyvision.model.selection.v1';

export function readSelection(): WeightsSelection {
  try {
    const v = JSON.parse(localStorage.getItem(SELECTION_KEY) ?? 'null') as WeightsSelection | null;
    if (v?.kind === 'saved' && typeof v.key === 'string') return v;
    if (v?.kind === 'shipped' && isShippedModelName(v.name)) return { kind: 'shipped', name: v.name };
  } catch {
    /* fall through */
  }
  return { kind: 'shipped' };
}

export function writeSelection(s: WeightsSelection): void {
  try {
    localStorage.setItem(SELECTION_KEY, JSON.stringify(s));
  } catch {
    /* storage full or disabled: the shipped weights load next time */
  }
}

