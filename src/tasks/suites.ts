/**
 * Named task suites for evaluation and training, and one entry point per family.
 *
 * A suite is a family plus fixed generator parameters; `makeSuite(name, n, seed)` derives the
 * i-th task's seed from (suite, seed, i), so suites are reproducible and two suites (or two
 * seeds) never share tasks. Video tasks draw frames lazily, so building a suite is cheap;
 * image tasks render their canvas when made (≈ 50–200 ms each).
 */
import { makeCountingTask, type CountingParams } from './counting';
import { hashSeed } from './rng';
import type { Task, TaskFamily } from './types';
import { makeVideoTask, type VideoParams } from './videoEvents';
import { makeVisualSearchTask, type VisualSearchParams } from './visualSearch';

export type GeneratedFamily = Exclude<TaskFamily, 'user'>;
/** Every family's params; `question` is each family's own (its type differs per family). */
export type FamilyParams = Omit<VisualSearchParams, 'question'> & Omit<CountingParams, 'question'> & Omit<VideoParams, 'question'> & { question?: string };

/** Makes one task of a generated family. */
export function makeTask(family: GeneratedFamily, params: FamilyParams): Task {
  switch (family) {
    case 'visual-search':
      return makeVisualSearchTask(params as VisualSearchParams);
    case 'counting':
      return makeCountingTask(params as CountingParams);
    case 'video-events':
      return makeVideoTask(params as VideoParams);
    default:
      throw new Error(`unknown task family '${String(family)}'`);
  }
}

export interface SuiteDef {
  family: GeneratedFamily | 'mixed';
  params: Omit<FamilyParams, 'seed'>;
  description: string;
}

export const SUITES = {
  'visual-search': { family: 'visual-search', params: {}, description: 'visual search, default size mix (50 % small, 25 % medium, 25 % large)' },
  'visual-search-small': { family: 'visual-search', params: { difficulty: 'small' }, description: 'visual search, small targets only (tools needed)' },
  'visual-search-medium': { family: 'visual-search', params: { difficulty: 'medium' }, description: 'visual search, medium targets only' },
  'visual-search-large': { family: 'visual-search', params: { difficulty: 'large' }, description: 'visual search, large targets only (readable in the global view)' },
  // The collapse demo's "no tools needed" tasks: even the tiny policy's 64-px view shows the answer.
  // Small canvases (448–768 px) keep its tool calls cheap: find() on a 2,000-px canvas took ≈ 1.5 s
  // of Python, on these ≈ 0.1 s, and Python was most of a demo step's rollout time.
  'visual-search-glance': {
    family: 'visual-search',
    params: { difficulty: 'large', distractors: 0, question: 'colour', targetRel: [0.25, 0.35], canvasSize: [448, 768] },
    description: 'one big object (25–35 % of the side) on a 448–768 px canvas and nothing else; its colour is asked (answerable at a glance)',
  },
  counting: { family: 'counting', params: {}, description: 'counting by colour, shape or both; default size mix' },
  'counting-small': { family: 'counting', params: { difficulty: 'small' }, description: 'counting, small objects only' },
  'counting-large': { family: 'counting', params: { difficulty: 'large' }, description: 'counting, large objects only' },
  'video-events': { family: 'video-events', params: {}, description: 'video events: what / when / order; default event-length mix' },
  'video-events-short': { family: 'video-events', params: { difficulty: 'small' }, description: 'video events, short events only (3–6 % of the clip)' },
  'video-events-long': { family: 'video-events', params: { difficulty: 'large' }, description: 'video events, long events only (20–28 % of the clip)' },
  mixed: { family: 'mixed', params: {}, description: 'visual search, counting and video events in turn' },
} satisfies Record<string, SuiteDef>;

export type SuiteName = keyof typeof SUITES;
export const SUITE_NAMES = Object.keys(SUITES) as SuiteName[];

const MIXED: GeneratedFamily[] = ['visual-search', 'counting', 'video-events'];

export function isSuiteName(name: string): name is SuiteName {
  return Object.prototype.hasOwnProperty.call(SUITES, name);
}

/** The i-th task of a suite (what makeSuite returns at index i). */
export function suiteTask(name: SuiteName, index: number, seed: number): Task {
  const def: SuiteDef = SUITES[name];
  const family = def.family === 'mixed' ? MIXED[index % MIXED.length]! : def.family;
  return makeTask(family, { ...def.params, seed: hashSeed(name, seed, index) });
}

/** `n` tasks of a named suite, deterministic in (name, seed). */
export function makeSuite(name: string, n: number, seed: number): Task[] {
  if (!isSuiteName(name)) throw new Error(`unknown suite '${name}' (known: ${SUITE_NAMES.join(', ')})`);
  if (!Number.isInteger(n) || n < 0) throw new Error(`suite size must be a non-negative integer, got ${n}`);
  return Array.from({ length: n }, (_, i) => suiteTask(name, i, seed));
}

/** `visual-search=0.5,counting=0.25` (a CLI's --mix) → a mix object, with clear errors on bad input. */
export function parseMix(spec: string): Partial<Record<SuiteName, number>> {
  const mix: Partial<Record<SuiteName, number>> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, w] = part.split('=');
    if (!name || !isSuiteName(name)) throw new Error(`mix: unknown suite '${name ?? ''}'`);
    const x = w === undefined ? 1 : Number(w);
    if (!Number.isFinite(x) || x < 0) throw new Error(`mix: weight of ${name} must be a number ≥ 0, got '${w}'`);
    mix[name] = x;
  }
  if (!Object.values(mix).some((x) => (x ?? 0) > 0)) throw new Error('mix: no suite with a positive weight');
  return mix;
}
