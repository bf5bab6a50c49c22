/**
 * Whether the tools came up empty for a trajectory on the user's own media: nothing detected
 * (found=no / found=unknown), no text read, nothing counted, or an answer of none/unknown. Then
 * the tiny policy is out of its depth — it sees only through the detector's 80 classes and OCR —
 * and the playground says so plainly and points to a larger model (the remote policy).
 */
import type { Trajectory } from '../../src/agent/types';

export interface OutOfDepth {
  /** What the tools reported, in a sentence. */
  why: string;
}

const EMPTY_ANSWERS = new Set(['none', 'unknown', 'no', '0']);

export function outOfDepth(t: Trajectory): OutOfDepth | null {
  if (t.task.family !== 'user' || t.endReason !== 'DONE') return null;
  const outputs = t.turns.map((turn) => turn.observation?.output ?? '').join('\n');
  const answer = (t.turns[t.turns.length - 1]?.answer ?? '').trim().toLowerCase();
  if (/found=unknown/.test(outputs)) return { why: 'The question names something the object detector has no class for (it knows COCO’s 80 everyday classes).' };
  if (!outputs.trim() && EMPTY_ANSWERS.has(answer)) return { why: 'The policy answered without using a tool.' };
  if (!EMPTY_ANSWERS.has(answer)) return null;
  if (/found=no\b/.test(outputs)) return { why: 'The object detector found nothing that matches the question.' };
  if (/text=none/.test(outputs)) return { why: 'The text reader (OCR) found no legible text.' };
  if (/count=0\b/.test(outputs)) return { why: 'Nothing was counted.' };
  return null;
}
