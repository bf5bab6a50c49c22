/**
 * Tasks: seeded, deterministic generators of (media, question, answer, checker, metadata).
 * Framework-free; media are raw Pixels or a FrameProvider that draws frames on demand.
 */
import type { FrameProvider, Pixels } from '../runtime/types';

export type TaskFamily = 'visual-search' | 'counting' | 'video-events' | 'user';

export type TaskMedia = { kind: 'image'; image: Pixels } | { kind: 'video'; video: FrameProvider };

/** How an answer is compared: exact text after normalisation, or a number within a tolerance. */
export type AnswerSpec =
  | { kind: 'text'; accepted: string[] } // any of these (normalised) counts as correct
  | { kind: 'number'; value: number; tolerance: number };

/** Difficulty bucket, used to report accuracy per bucket (tools help on 'small', not on 'large'). */
export type Difficulty = 'small' | 'medium' | 'large';

/**
 * Ground truth only the scripted expert (an oracle) and the checker may read; a learned or
 * remote policy never sees it. Coordinates are in the media's pixel space.
 */
export interface TaskTruth {
  /** Where the thing to look at is (visual search target, counted region, …). */
  boxes?: Array<{ x0: number; y0: number; x1: number; y1: number; label: string }>;
  /** Video: the frames in which the event happens (inclusive range). */
  eventFrames?: [number, number];
  /** Anything else a family's expert needs (target colour name, shape name, …). */
  [key: string]: unknown;
}

export interface Task {
  /** Stable id: family + seed (+ index), e.g. "visual-search-42". */
  id: string;
  family: TaskFamily;
  seed: number;
  question: string;
  /** The canonical answer (what goes in \boxed{}), or null for the user's own question. */
  answer: string | null;
  answerSpec: AnswerSpec | null;
  difficulty: Difficulty | null;
  media: TaskMedia;
  truth: TaskTruth;
  /** PyVision-RL dataset fields. */
  ability: string;
  dataSource: string;
}

/** Parameters shared by the generators; each family reads what applies to it. */
export interface TaskParams {
  seed: number;
  /** Visual search: share of targets per bucket, e.g. { small: 0.5, medium: 0.25, large: 0.25 }. */
  difficultyMix?: Partial<Record<Difficulty, number>>;
  /** Force one bucket (overrides the mix). */
  difficulty?: Difficulty;
  /** Canvas side range in pixels (visual search, counting). */
  canvasSize?: [number, number];
}

/** A row of PyVision-RL's dataset format (JSONL), media stored next to it. */
export interface DatasetRow {
  id: string;
  question: string;
  answer: string;
  ability: string;
  data_source: string;
  image_path?: string;
  video_path?: string;
}
