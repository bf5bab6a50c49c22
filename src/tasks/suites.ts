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
export type FamilyParams = VisualSearchParams & CountingParams & VideoParams;

/** Makes one task of a generated family. */
export function makeTask(family: GeneratedFamily, params: FamilyParams): Task {
  switch (family) {
    case 'visual-search':
      return makeVisualSearchTask(params);
    case 'counting':
      return makeCountingTask(params);
    case 'video-events':
      return makeVideoTask(params);
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
