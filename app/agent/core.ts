/**
 * The one place the playground touches the task generators and the policies of src/ (so a change
 * in their shape is fixed here only).
 */
import type { Policy } from '../../src/agent/types';
import { createGlobalViewBaseline } from '../../src/policies/globalViewBaseline';
import { createScriptedExpert } from '../../src/policies/scriptedExpert';
import { hashSeed } from '../../src/tasks/rng';
import { makeTask, type GeneratedFamily } from '../../src/tasks/suites';
import type { Difficulty, Task, TaskMedia } from '../../src/tasks/types';
import { makeUserTask } from '../../src/tasks/userTask';

export type { GeneratedFamily };

export const GENERATED_FAMILIES: ReadonlyArray<{ family: GeneratedFamily; label: string; difficulty: boolean }> = [
  { family: 'visual-search', label: 'Visual search', difficulty: true },
  { family: 'counting', label: 'Counting', difficulty: true },
  { family: 'video-events', label: 'Video events', difficulty: true },
];

export function generateTask(family: GeneratedFamily, seed: number, difficulty?: Difficulty): Task {
  return makeTask(family, { seed, ...(difficulty ? { difficulty } : {}) });
}

/** The user's own media and question (no known answer: no reward, just a trajectory). */
export function userTask(media: TaskMedia, question: string, name: string): Task {
  const dims = media.kind === 'image' ? `${media.image.width}x${media.image.height}` : `${media.video.meta.width}x${media.video.meta.height}x${media.video.meta.frameCount}`;
  const id = `user-${hashSeed(name, dims, question).toString(16)}`;
  return makeUserTask(media.kind === 'image' ? { question, image: media.image, id } : { question, video: media.video, id });
}

/**
 * The scripted expert: an oracle on generated tasks; on the user's own media it plans by rules
 * over the question (src/policies/realPlanner.ts) and answers from what the tools print.
 */
export function createScriptedExpertPolicy(task: Task): Policy {
  return task.family === 'user' ? createScriptedExpert({ strategy: 'toolkit' }) : createScriptedExpert();
}

export function createBaselinePolicy(): Policy {
  return createGlobalViewBaseline();
}
