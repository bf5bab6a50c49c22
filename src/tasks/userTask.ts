/**
 * The user's own media with the user's own question: no known answer, so no checker and no
 * reward — the loop still records a full trajectory.
 */
import type { FrameProvider, Pixels } from '../runtime/types';
import { hashSeed } from './rng';
import type { Task } from './types';

export interface UserTaskInput {
  question: string;
  image?: Pixels;
  video?: FrameProvider;
  /** Optional stable id (e.g. from the upload's name); default: a hash of the question. */
  id?: string;
  /** An answer the user knows, if any (enables the checker as plain text). */
  answer?: string;
}

export function makeUserTask(input: UserTaskInput): Task {
  const question = input.question.trim();
  if (!question) throw new Error('the question is empty');
  if (!!input.image === !!input.video) throw new Error('give exactly one of an image or a video');
  const seed = hashSeed(question, input.image ? `${input.image.width}x${input.image.height}` : `${input.video!.meta.frameCount}f`);
  const answer = input.answer?.trim() ? input.answer.trim() : null;
  return {
    id: input.id ?? `user-${seed.toString(16)}`,
    family: 'user',
    seed,
    question,
    answer,
    answerSpec: answer ? { kind: 'text', accepted: [answer] } : null,
    difficulty: null,
    media: input.image ? { kind: 'image', image: input.image } : { kind: 'video', video: input.video! },
    truth: {},
    ability: input.image ? 'user_image' : 'user_video',
    dataSource: 'user',
  };
}
