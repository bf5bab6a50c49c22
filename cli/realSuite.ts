/**
 * The real-media evaluation set (eval/real/): questions about real photographs and clips, each
 * answer checked by looking (eval/real/questions.json; licences in eval/real/media.json), as
 * tasks for `npm run eval -- --suite real`. Counts are checked as numbers ("4" = "four"), the
 * rest as text against the accepted answers (src/tasks/check.ts). The set is for measuring only:
 * none of it is training data, and tool thresholds were not tuned on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Task } from '../src/tasks/types';
import { makeUserTask } from '../src/tasks/userTask';
import { ffmpegFrameProvider } from './ffmpegVideo';
import { readImageFile } from './imageFile';

const evalDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'eval', 'real');

export interface RealQuestion {
  id: string;
  media: string;
  kind: string;
  question: string;
  answer: string;
  accepted: string[];
}

export function realQuestions(filter: 'all' | 'photo' | 'video' = 'all'): RealQuestion[] {
  const all = (JSON.parse(fs.readFileSync(path.join(evalDir, 'questions.json'), 'utf8')) as { questions: RealQuestion[] }).questions;
  return all.filter((q) => filter === 'all' || q.media.startsWith(filter === 'photo' ? 'photos/' : 'videos/'));
}

export async function realTask(q: RealQuestion): Promise<Task> {
  const file = path.join(evalDir, q.media);
  const media = q.media.startsWith('videos/') ? { video: await ffmpegFrameProvider(file) } : { image: readImageFile(file) };
  const task = makeUserTask({ question: q.question, ...media, id: q.id, answer: q.answer });
  const n = Number(q.answer);
  return {
    ...task,
    answerSpec: q.kind === 'count' && Number.isInteger(n) ? { kind: 'number', value: n, tolerance: 0 } : { kind: 'text', accepted: [q.answer, ...q.accepted] },
    truth: { kind: q.kind },
    ability: q.media.startsWith('videos/') ? 'real_video' : 'real_photo',
    dataSource: 'eval/real',
  };
}
