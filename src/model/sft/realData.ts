/**
 * Cold-start data on real media: scripted-expert trajectories over questions about real
 * photographs (as they are, or with photo cut-outs pasted in), photographed signs, and clips in
 * which cut-outs cross a photo background. The expert plans by rules (realPlanner.ts) and its
 * answers are read from what the tools print, so every trajectory is the tools' answer, right or
 * wrong (the training media have no checked answers; the policy is taught to use the tools, the
 * tools do the seeing). Questions are asked mostly about what the detector does see (a pre-pass
 * with the perception service), and also about what is absent or unknown to it.
 *
 * Deterministic in (options, media): task i draws everything from Rng(hash('real-sft', seed, i)).
 */
import { runTrajectory } from '../../agent/loop';
import type { LoopConfig } from '../../agent/types';
import { labelOf, type CocoLabel } from '../../perception/vocabulary';
import type { PerceptionService } from '../../perception/types';
import type { RealKind } from '../../policies/realPlanner';
import { createScriptedExpert } from '../../policies/scriptedExpert';
import type { Pixels, PythonRuntime } from '../../runtime/types';
import { categoriesOf, photoQuestion, videoQuestion, wordsFor } from '../../tasks/realQuestions';
import { composeScene, photoClip, type ClipActor, type Cutout } from '../../tasks/realScenes';
import { Rng, hashSeed } from '../../tasks/rng';
import type { Task, TaskMedia } from '../../tasks/types';
import { makeUserTask } from '../../tasks/userTask';
import { sha256Hex } from '../sha256';
import { hashRecords, loadRecords, recordFromTrajectory, saveRecords, stableJson, type ExpertKnobs, type SftRecord, type SftStore } from './dataset';

export interface RealMediaEntry {
  id: string;
  kind: 'photo' | 'cutout';
  objects: Array<{ name: string; count: number | null; colour: string | null }>;
}

export interface SignEntry {
  id: string;
  /** What the sign says (as rendered). */
  text: string;
}

/** The training media: entries, and how to load their pixels (Node reads .cache/media). */
export interface RealMediaLibrary {
  entries: RealMediaEntry[];
  signs: SignEntry[];
  load(id: string): Promise<Pixels>;
}

export interface RealDataOptions {
  /** Photo questions (signs included) and video questions. */
  photoTasks: number;
  videoTasks: number;
  seed: number;
  imageSide: number;
  loop: LoopConfig;
  expert: ExpertKnobs;
}

export const PHOTO_KINDS: Partial<Record<RealKind, number>> = { colour: 0.24, count: 0.2, which: 0.2, yesno: 0.26, text: 0.1 };
export const VIDEO_KINDS: Partial<Record<RealKind, number>> = { which: 0.24, yesno: 0.24, when: 0.14, first: 0.2, colour: 0.08, last: 0.06, count: 0.04 };
const WHICH_CATEGORIES = ['animal', 'vehicle', 'fruit', 'food', 'vegetable', 'furniture'];
const OBJECT_WORDS: CocoLabel[] = ['person', 'bicycle', 'car', 'bus', 'truck', 'boat', 'airplane', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'cup', 'bottle', 'bowl', 'banana', 'apple', 'orange', 'pizza', 'cake', 'chair', 'couch', 'bed', 'tv', 'laptop', 'clock', 'vase', 'book', 'umbrella', 'kite', 'teddy bear', 'scissors', 'sports ball', 'wine glass', 'potted plant', 'train', 'motorcycle', 'bench', 'carrot', 'broccoli', 'cell phone', 'keyboard', 'sink', 'toilet', 'backpack'];

/** What a scene holds, for choosing questions: detector labels (or pasted cut-outs) and other nouns. */
interface Facts {
  labels: CocoLabel[];
  /** Nouns the detector has no class for, with a colour when the catalogue gives one. */
  others: Array<{ name: string; colour: string | null }>;
}

function photoTarget(kind: RealKind, facts: Facts, rng: Rng): { question: string } {
  const present = facts.labels;
  const absent = OBJECT_WORDS.filter((l) => !present.includes(l));
  const word = (l: CocoLabel) => rng.pick(wordsFor(l));
  const roll = rng.next();
  switch (kind) {
    case 'colour':
      if (present.length && roll < 0.7) return { question: photoQuestion('colour', { word: word(rng.pick(present)) }, rng) };
      if (facts.others.length && roll < 0.85) return { question: photoQuestion('colour', { word: rng.pick(facts.others).name }, rng) };
      return { question: photoQuestion('colour', { word: word(rng.pick(absent)) }, rng) };
    case 'count': {
      if (present.length && roll < 0.7) return { question: photoQuestion('count', { word: word(rng.pick(present)) }, rng) };
      const coloured = facts.others.filter((o) => o.colour);
      if (coloured.length && roll < 0.85) {
        const o = rng.pick(coloured);
        return { question: photoQuestion('count', { word: o.name, colour: o.colour! }, rng) };
      }
      return { question: photoQuestion('count', { word: word(rng.pick(absent)) }, rng) };
    }
    case 'which': {
      const cats = [...new Set(present.flatMap(categoriesOf))].filter((c) => WHICH_CATEGORIES.includes(c));
      const category = cats.length && roll < 0.75 ? rng.pick(cats) : rng.chance(0.3) ? 'object' : rng.pick(WHICH_CATEGORIES);
      return { question: photoQuestion('which', { category }, rng) };
    }
    case 'yesno':
      return { question: photoQuestion('yesno', { word: present.length && roll < 0.5 ? word(rng.pick(present)) : word(rng.pick(absent)) }, rng) };
    default:
      throw new Error(`photo task kind ${kind}`);
  }
}

function videoTarget(kind: RealKind, actors: ClipActor[], rng: Rng): string {
  const labels = actors.map((a) => labelOf(a.cutout.name) ?? a.cutout.name);
  const absent = OBJECT_WORDS.filter((l) => !labels.includes(l));
  const w = (name: string) => (labelOf(name) ? rng.pick(wordsFor(labelOf(name)!)) : name);
  switch (kind) {
    case 'which': {
      const cats = [...new Set(labels.flatMap((l) => (labelOf(l) ? categoriesOf(labelOf(l)!) : [])))].filter((c) => WHICH_CATEGORIES.includes(c));
      return videoQuestion('which', { category: cats.length && rng.chance(0.8) ? rng.pick(cats) : rng.pick(['animal', 'vehicle']) }, rng);
    }
    case 'yesno':
      return videoQuestion('yesno', { word: rng.chance(0.5) ? w(rng.pick(labels)) : w(rng.pick(absent)) }, rng);
    case 'when':
      return videoQuestion('when', { word: rng.chance(0.85) ? w(rng.pick(labels)) : w(rng.pick(absent)) }, rng);
    case 'colour':
      return videoQuestion('colour', { word: w(rng.pick(labels)) }, rng);
    case 'last':
    case 'count': {
      const cats = [...new Set(labels.flatMap((l) => (labelOf(l) ? categoriesOf(labelOf(l)!) : [])))].filter((c) => WHICH_CATEGORIES.includes(c));
      return videoQuestion(kind, { category: cats.length ? rng.pick(cats) : 'animal' }, rng);
    }
    case 'first': {
      const distinct = [...new Set(labels)];
      const [a, b] = distinct.length >= 2 ? rng.shuffle(distinct) : [distinct[0]!, rng.pick(absent)];
      return videoQuestion('first', { word: w(a!), other: w(b!) }, rng);
    }
    default:
      throw new Error(`video task kind ${kind}`);
  }
}

/** The i-th training task (image or video), with the facts its question was chosen from. */
export async function realTask(opts: RealDataOptions, lib: RealMediaLibrary, i: number, detect: (id: string, p: Pixels) => Promise<CocoLabel[]>): Promise<{ task: Task; suite: 'real-photo' | 'real-video' }> {
  const rng = new Rng(hashSeed('real-sft', opts.seed, i));
  const photos = lib.entries.filter((e) => e.kind === 'photo');
  const cutouts = lib.entries.filter((e) => e.kind === 'cutout');
  const cut = async (e: RealMediaEntry): Promise<Cutout> => ({ pixels: await lib.load(e.id), name: e.objects[0]?.name ?? 'object' });
  const others = (e: RealMediaEntry) => e.objects.filter((o) => !labelOf(o.name)).map((o) => ({ name: o.name, colour: o.colour }));
  let media: TaskMedia;
  let question: string;
  if (i < opts.photoTasks) {
    const kind = rng.weighted(PHOTO_KINDS);
    if (kind === 'text' && lib.signs.length) {
      const sign = rng.pick(lib.signs);
      media = { kind: 'image', image: await lib.load(sign.id) };
      question = photoQuestion('text', {}, rng);
    } else {
      const bg = rng.pick(photos);
      let facts: Facts;
      let image = await lib.load(bg.id);
      if (rng.chance(0.5) && cutouts.length) {
        // A scene: 1–4 cut-outs, often several of one kind (something to count).
        const chosen = rng.shuffle(cutouts).slice(0, rng.int(1, 2));
        const list: Cutout[] = [];
        for (const c of chosen) {
          const one = await cut(c);
          for (let k = rng.chance(0.4) ? rng.int(2, 3) : 1; k > 0; k--) list.push(one);
        }
        image = composeScene(image, list, rng).image;
        facts = { labels: [...new Set(list.map((c) => labelOf(c.name)).filter((l): l is CocoLabel => !!l))], others: chosen.flatMap(others) };
      } else {
        facts = { labels: await detect(bg.id, image), others: others(bg) };
      }
      media = { kind: 'image', image };
      question = photoTarget(kind === 'text' ? 'colour' : kind, facts, rng).question;
    }
  } else {
    const kind = rng.weighted(VIDEO_KINDS);
    const n = kind === 'first' || kind === 'last' ? 2 : kind === 'count' ? rng.int(1, 3) : rng.int(1, 2);
    const fps = 25;
    const frameCount = fps * rng.int(8, 30);
    const picks = rng.shuffle(cutouts.filter((c) => labelOf(c.objects[0]?.name ?? '') || rng.chance(0.3))).slice(0, n);
    // Disjoint windows in time order, each 15–35 % of the clip.
    const actors: ClipActor[] = [];
    let t = rng.float(0.02, 0.3);
    for (const p of picks) {
      const len = rng.float(0.15, 0.35);
      const a = Math.floor(t * frameCount);
      const b = Math.min(frameCount - 1, Math.floor((t + len) * frameCount));
      actors.push({ cutout: await cut(p), frames: [a, b], y: rng.float(0.45, 0.7), size: rng.float(0.35, 0.6), dir: rng.chance(0.5) ? 1 : -1 });
      t += len + rng.float(0.05, 0.2);
      if (t > 0.9) break;
    }
    media = { kind: 'video', video: photoClip(await lib.load(rng.pick(photos).id), actors, { width: 480, height: 270, frameCount, fps }) };
    question = videoTarget(kind, actors, rng);
  }
  const base = makeUserTask({ question, ...(media.kind === 'image' ? { image: media.image } : { video: media.video }), id: `real-${opts.seed}-${i}` });
  return { task: { ...base, ability: media.kind === 'image' ? 'real_photo' : 'real_video', dataSource: 'training-media' }, suite: media.kind === 'image' ? 'real-photo' : 'real-video' };
}

export interface RealBuildIo {
  runtime: PythonRuntime;
  perception: PerceptionService;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Runs the expert on every task; keeps trajectories that end DONE with an answer. */
export async function buildRealRecords(opts: RealDataOptions, lib: RealMediaLibrary, io: RealBuildIo): Promise<{ records: SftRecord[]; generated: number }> {
  const policy = createScriptedExpert({ seed: opts.seed, ...opts.expert });
  const total = opts.photoTasks + opts.videoTasks;
  const detected = new Map<string, Promise<CocoLabel[]>>();
  const detect = (id: string, p: Pixels) => {
    if (!detected.has(id)) detected.set(id, io.perception.detect(p, { minScore: 0.3 }).then((d) => [...new Set(d.map((x) => x.label))]));
    return detected.get(id)!;
  };
  const slots: Array<SftRecord | null> = new Array(total).fill(null);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < total) {
      if (io.signal?.aborted) throw new Error('SFT data generation cancelled');
      const i = next++;
      const { task, suite } = await realTask(opts, lib, i, detect);
      const traj = await runTrajectory({ task, policy, runtime: io.runtime, config: opts.loop, signal: io.signal, id: `real-sft-${opts.seed}-${i}` });
      const answer = traj.turns[traj.turns.length - 1]?.answer;
      if (traj.endReason === 'DONE' && answer) slots[i] = recordFromTrajectory(traj, { index: i, suite, correct: true }, opts.imageSide);
      io.onProgress?.(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, io.concurrency ?? 1) }, worker));
  return { records: slots.filter((r): r is SftRecord => r !== null), generated: total };
}
/** Bump when the tools' printout, the planner's wording or the task generator changes (none is hashed). 2: "the " before a bare call phrase, nearest-category lookups. */
const REAL_DATA_VERSION = 2;

export function realDatasetKey(opts: RealDataOptions, lib: RealMediaLibrary): string {
  const media = { entries: lib.entries.map((e) => e.id), signs: lib.signs.map((s) => [s.id, s.text]) };
  return 'real-' + sha256Hex(new TextEncoder().encode(stableJson({ v: REAL_DATA_VERSION, opts, media }))).slice(0, 16);
}

/** The real-media records, from the store when cached under the options' key. */
export async function buildRealSftDataset(opts: RealDataOptions, lib: RealMediaLibrary, io: RealBuildIo & { store?: SftStore }): Promise<{ key: string; records: SftRecord[]; contentHash: string; generated: number; fromCache: boolean }> {
  const key = realDatasetKey(opts, lib);
  if (io.store) {
    const got = await loadRecords(io.store, key);
    if (got) return { key, ...got, fromCache: true };
  }
  const { records, generated } = await buildRealRecords(opts, lib, io);
  const contentHash = io.store ? await saveRecords(io.store, key, records, { options: opts, generated, dropped: generated - records.length }) : hashRecords(records);
  return { key, records, contentHash, generated, fromCache: false };
}
