/**
 * SFT data: scripted-expert trajectories, run through the real agent loop and a Python runtime,
 * turned into training conversations (the messages exactly as the policy saw them, with the
 * images it saw).
 *
 * - The task mix (suite → share) and the expert's strategy and imperfections are config. The
 *   default is mostly clean traces with a few skip-tools answers and coding slips (fixed on the
 *   next turn: the loop feeds errors back), and the 'toolkit' strategy: one-line calls to the
 *   pre-bound helpers (pv_tools.py), so whole trajectories fit the small model's context.
 * - Deterministic from the seed: task i of the dataset is `suiteTask(suiteOf(i), i, seed)`, the
 *   suite drawn by a seeded rng; the expert is stateless (its plan derives from seed + task id).
 * - Images are stored pre-resized to the model's `imageSide` with the encoder's own Pillow-exact
 *   bicubic resize, so encoding a stored image is exactly encoding the original.
 * - Cache (optional `store`): `<key>/data.jsonl` (one record per line, images by file name) and
 *   `<key>/img/*.png`, plus `<key>/manifest.json` written last; the key hashes every option that
 *   changes the data, so a rerun with the same options loads instead of generating.
 *
 * Framework-free: the store is an interface (`nodeDirStore` is the Node one, loaded lazily), the
 * runtime is passed in.
 */
import { runTrajectory } from '../../agent/loop';
import { trajectoryMessages } from '../../agent/exportFormats';
import { TRAINING_LOOP, type LoopConfig, type Message, type Trajectory } from '../../agent/types';
import { convert } from '../../imaging';
import { decodeImage, encodePngBytes } from '../../imaging/codec';
import { resize, Resampling } from '../../imaging/resample';
import { countingCode, videoLookCode, videoScanCode } from '../../policies/expertScripts';
import { createScriptedExpert, type ExpertStrategy } from '../../policies/scriptedExpert';
import { searchCode } from '../../policies/searchScripts';
import { framesUpFront } from '../../policies/evaluate';
import type { Pixels, PythonRuntime } from '../../runtime/types';
import { Rng, hashSeed } from '../../tasks/rng';
import { SUITES, suiteTask, type SuiteName } from '../../tasks/suites';
import { sha256Hex } from '../sha256';
import { nodeDirStore as nodeDirStoreImpl } from '../../storage/nodeDir';

export interface ExpertKnobs {
  strategy: ExpertStrategy;
  skipToolsProb: number;
  slipProb: number;
  guessProb: number;
}

export interface SftDataOptions {
  /** Number of expert trajectories to generate. */
  tasks: number;
  seed: number;
  /** Suite → share (normalised). */
  mix: Partial<Record<SuiteName, number>>;
  expert: ExpertKnobs;
  /** Images are stored resized to imageSide × imageSide (the model's input side). */
  imageSide: number;
  /** Keep trajectories whose answer is wrong (default false: the cold start imitates successes). */
  keepIncorrect: boolean;
  loop: LoopConfig;
  /**
   * A share of the video tasks shown `frames` evenly spaced frames up front (the uniform-sampling
   * baseline's prompt, `npm run eval -- --frames k`), so that the baseline is the same model on a
   * prompt it knows. The expert answers at once when a shown frame has the event, else it scans.
   * Absent = none (and the cache key stays what it was before the option existed).
   */
  videoUpFront?: { share: number; frames: number };
}

/** Frames shown up front in the SFT data's uniform-sampling examples (eval's --frames). */
export const UPFRONT_FRAMES = 8;

/**
 * Measured alternative: visual search 0.4, counting 0.2, video 0.4 (with 20 % of videos up front)
 * lifted video events from 0.60 to 0.70 but cost visual search (0.92 → 0.78) and well-formed
 * turns (99 % → 93 %), so the shipped weights keep this mix.
 */
export const DEFAULT_SFT_MIX: Partial<Record<SuiteName, number>> = { 'visual-search': 0.5, counting: 0.25, 'video-events': 0.25 };
export const DEFAULT_EXPERT_KNOBS: ExpertKnobs = { strategy: 'toolkit', skipToolsProb: 0.05, slipProb: 0.1, guessProb: 0 };

export function defaultDataOptions(over: Partial<SftDataOptions> = {}): SftDataOptions {
  return {
    tasks: 300,
    seed: 1,
    mix: DEFAULT_SFT_MIX,
    expert: DEFAULT_EXPERT_KNOBS,
    imageSide: 64,
    keepIncorrect: false,
    // Slips are fixed on the next turn only when errors are fed back.
    loop: { ...TRAINING_LOOP, errorMode: 'feed-back' },
    videoUpFront: { share: 0.3, frames: UPFRONT_FRAMES },
    ...over,
  };
}

/** Where a record came from: a generated suite, or real media (realData.ts). */
export type RecordSuite = SuiteName | 'real-photo' | 'real-video';

/** One training conversation. `images[i]` is the image `{type:'image', image: i}` refers to. */
export interface SftRecord {
  index: number;
  suite: RecordSuite;
  taskId: string;
  family: string;
  difficulty: string | null;
  correct: boolean;
  endReason: string | null;
  toolCalls: number;
  messages: Message[];
  images: Pixels[];
}

export interface SftDataset {
  options: SftDataOptions;
  /** Hash of the options (the cache key). */
  key: string;
  /** SHA-256 over the records' JSON and image bytes. */
  contentHash: string;
  records: SftRecord[];
  /** Trajectories generated (records + dropped ones). */
  generated: number;
  dropped: number;
  fromCache: boolean;
}

/** Where a dataset is cached. Paths are relative, '/'-separated. */
export interface SftStore {
  read(path: string): Promise<Uint8Array | null>;
  write(path: string, bytes: Uint8Array): Promise<void>;
}

/** A folder on disk (Node only; node:fs is imported lazily so the browser bundle never needs it). */
export const nodeDirStore = (dir: string): SftStore => nodeDirStoreImpl(dir);

export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const utf8 = new TextEncoder();
/** Bump when workers/python/py/pv_tools.py changes what the helpers print, or the toolkit expert its words (neither is hashed). */
const DATA_VERSION = 4;

/** Changes whenever the expert's Python changes (so a stale cache is never reused). */
const EXPERT_CODE = sha256Hex(utf8.encode(searchCode({ shape: 'star' }) + searchCode({ colour: 'red' }) + countingCode({ colour: 'red', shape: 'star', plural: 'red stars', k: 2 }) + videoScanCode(4) + videoLookCode())).slice(0, 16);

export function datasetKey(o: SftDataOptions): string {
  // The suites' generator params too: a suite whose definition changed makes other tasks.
  const suites = Object.fromEntries(Object.keys(o.mix).map((name) => [name, SUITES[name as SuiteName]]));
  return sha256Hex(utf8.encode(stableJson({ v: DATA_VERSION, expertCode: EXPERT_CODE, ...o, suites }))).slice(0, 16);
}

/** The suite of dataset item i: drawn by a seeded rng from the normalised mix. */
export function suiteOf(o: SftDataOptions, i: number): SuiteName {
  const entries = (Object.entries(o.mix) as Array<[SuiteName, number]>).filter(([, w]) => w > 0).sort(([a], [b]) => (a < b ? -1 : 1));
  if (!entries.length) throw new Error('SFT data mix is empty');
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let u = new Rng(hashSeed('sft-mix', o.seed, i)).next() * total;
  for (const [name, w] of entries) {
    if ((u -= w) < 0) return name;
  }
  return entries[entries.length - 1]![0];
}

/** An image as the model will see it: RGB, imageSide × imageSide (Pillow-exact bicubic). */
export function toModelSide(p: Pixels, side: number): Pixels {
  const rgb = p.channels === 3 ? p : convert(p, 3);
  return rgb.width === side && rgb.height === side ? rgb : resize(rgb, side, side, Resampling.BICUBIC);
}

/** A finished trajectory as a record (images renumbered to those the messages use, resized). */
export function recordFromTrajectory(traj: Trajectory, meta: { index: number; suite: RecordSuite; correct: boolean }, imageSide: number): SftRecord {
  const used = new Map<number, number>();
  const images: Pixels[] = [];
  const messages = trajectoryMessages(traj).map((m) => ({
    role: m.role,
    content: m.content.map((part) => {
      if (part.type !== 'image') return part;
      let j = used.get(part.image);
      if (j === undefined) {
        const img = traj.images[part.image];
        if (!img) throw new Error(`trajectory ${traj.id} refers to missing image ${part.image}`);
        j = images.push(toModelSide(img, imageSide)) - 1;
        used.set(part.image, j);
      }
      return { type: 'image' as const, image: j };
    }),
  }));
  return {
    index: meta.index,
    suite: meta.suite,
    taskId: traj.task.id,
    family: traj.task.family,
    difficulty: traj.task.difficulty,
    correct: meta.correct,
    endReason: traj.endReason,
    toolCalls: traj.turns.filter((t) => t.code !== null).length,
    messages,
    images,
  };
}

interface StoredRecord extends Omit<SftRecord, 'images'> {
  images: string[];
}

export function hashRecords(records: SftRecord[]): string {
  const parts: Uint8Array[] = [];
  for (const r of records) {
    parts.push(utf8.encode(stableJson({ ...r, images: r.images.map((p) => [p.width, p.height, p.channels]) })));
    for (const p of r.images) parts.push(p.data);
  }
  const n = parts.reduce((s, p) => s + p.length, 0);
  const all = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return sha256Hex(all);
}

/** Records stored under `key` (see saveRecords), or null when absent or damaged. */
export async function loadRecords(store: SftStore, key: string): Promise<{ records: SftRecord[]; contentHash: string; generated: number; dropped: number } | null> {
  const manifestBytes = await store.read(`${key}/manifest.json`);
  const dataBytes = await store.read(`${key}/data.jsonl`);
  if (!manifestBytes || !dataBytes) return null;
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as { key: string; contentHash: string; generated: number; dropped: number };
  if (manifest.key !== key) return null;
  const records: SftRecord[] = [];
  for (const line of new TextDecoder().decode(dataBytes).split('\n')) {
    if (!line.trim()) continue;
    const s = JSON.parse(line) as StoredRecord;
    const images: Pixels[] = [];
    for (const name of s.images) {
      const bytes = await store.read(`${key}/${name}`);
      if (!bytes) return null;
      const d = decodeImage(bytes);
      images.push({ width: d.width, height: d.height, channels: d.channels, data: new Uint8Array(d.data) });
    }
    records.push({ ...s, images });
  }
  const contentHash = hashRecords(records);
  if (contentHash !== manifest.contentHash) return null;
  return { records, contentHash, generated: manifest.generated, dropped: manifest.dropped };
}

async function loadCached(store: SftStore, key: string, options: SftDataOptions): Promise<SftDataset | null> {
  const got = await loadRecords(store, key);
  return got ? { options, key, ...got, fromCache: true } : null;
}

/** Stores records under `key`: data.jsonl, img/*.png, and manifest.json written last. */
export async function saveRecords(store: SftStore, key: string, records: SftRecord[], meta: { options: unknown; generated: number; dropped: number }): Promise<string> {
  const lines: string[] = [];
  for (const r of records) {
    const names = r.images.map((_, j) => `img/${String(r.index).padStart(6, '0')}-${j}.png`);
    for (let j = 0; j < r.images.length; j++) await store.write(`${key}/${names[j]}`, encodePngBytes(r.images[j]!));
    const stored: StoredRecord = { ...r, images: names };
    lines.push(JSON.stringify(stored));
  }
  await store.write(`${key}/data.jsonl`, utf8.encode(lines.join('\n') + '\n'));
  const contentHash = hashRecords(records);
  const manifest = { key, version: DATA_VERSION, ...meta, contentHash, records: records.length };
  await store.write(`${key}/manifest.json`, utf8.encode(JSON.stringify(manifest, null, 2) + '\n'));
  return contentHash;
}

async function saveCached(store: SftStore, ds: SftDataset): Promise<void> {
  await saveRecords(store, ds.key, ds.records, { options: ds.options, generated: ds.generated, dropped: ds.dropped });
}

export interface BuildDataOptions {
  runtime: PythonRuntime;
  store?: SftStore;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Generates (or loads from the store) the dataset. Records are in task order whatever the
 * concurrency, so the result depends on the options only.
 */
export async function buildSftDataset(options: SftDataOptions, io: BuildDataOptions): Promise<SftDataset> {
  const key = datasetKey(options);
  if (io.store) {
    const cached = await loadCached(io.store, key, options);
    if (cached) return cached;
  }
  const policy = createScriptedExpert({ seed: options.seed, ...options.expert });
  const slots: Array<SftRecord | null> = new Array(options.tasks).fill(null);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < options.tasks) {
      if (io.signal?.aborted) throw new Error('SFT data generation cancelled');
      const i = next++;
      const suite = suiteOf(options, i);
      const task = suiteTask(suite, i, options.seed);
      const upFront = options.videoUpFront && new Rng(hashSeed('sft-upfront', options.seed, i)).chance(options.videoUpFront.share) ? options.videoUpFront.frames : 0;
      const upFrontFrames = await framesUpFront(task, upFront);
      const traj = await runTrajectory({ task, policy, runtime: io.runtime, config: options.loop, signal: io.signal, id: `sft-${options.seed}-${i}`, upFrontFrames });
      const correct = (traj.reward?.accuracy ?? 0) > 0;
      if (traj.endReason === 'DONE' && (correct || options.keepIncorrect)) slots[i] = recordFromTrajectory(traj, { index: i, suite, correct }, options.imageSide);
      io.onProgress?.(++done, options.tasks);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, io.concurrency ?? 1) }, worker));
  const records = slots.filter((r): r is SftRecord => r !== null);
  const ds: SftDataset = { options, key, contentHash: hashRecords(records), records, generated: options.tasks, dropped: options.tasks - records.length, fromCache: false };
  if (io.store) await saveCached(io.store, ds);
  return ds;
}

/** Summary of a dataset for the model card. */
export function describeDataset(ds: SftDataset): Record<string, unknown> {
  const bySuite: Record<string, number> = {};
  let tools = 0;
  for (const r of ds.records) {
    bySuite[r.suite] = (bySuite[r.suite] ?? 0) + 1;
    tools += r.toolCalls;
  }
  return {
    key: ds.key,
    contentHash: ds.contentHash,
    tasks: ds.options.tasks,
    seed: ds.options.seed,
    mix: ds.options.mix,
    expert: ds.options.expert,
    imageSide: ds.options.imageSide,
    keepIncorrect: ds.options.keepIncorrect,
    loop: ds.options.loop,
    videoUpFront: ds.options.videoUpFront ?? null,
    records: ds.records.length,
    dropped: ds.dropped,
    bySuite,
    meanToolCalls: ds.records.length ? tools / ds.records.length : 0,
  };
}
