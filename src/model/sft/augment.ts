/**
 * Counterfactual copies of SFT records, to teach the tiny policy to COPY.
 *
 * Measured (issue 4): trained on the toolkit expert's trajectories alone, the tiny model learns
 * every template — which helper, which `key=` field answers which question — but not to copy
 * the value: it names a different shape in its call than the question does, and boxes a colour
 * that the printout does not show. With ~800 trajectories it can memorise image → answer, and
 * one or two copied tokens per turn give copying too little gradient to win.
 *
 * A counterfactual copy renames, by one random permutation per copy, every colour, shape (and
 * plural), quadrant and clip part in the TEXT of a record — question, code, printout, answer —
 * and gives a count a random value; the images are untouched. The conversation stays
 * self-consistent as text, but the image no longer predicts the answer: only copying does.
 */
import type { Message } from '../../agent/types';
import { COLOURS, SHAPES, SHAPE_PLURAL } from '../../tasks/palette';
import type { Rng } from '../../tasks/rng';
import { CLIP_PARTS } from '../../tasks/videoEvents';
import { QUADRANTS } from '../../tasks/visualSearch';
import type { SftRecord } from './dataset';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A renaming of the answer words: a permutation within each class (colours, shapes, …). */
export function answerWordMap(rng: Rng): Map<string, string> {
  const map = new Map<string, string>();
  const permute = (words: readonly string[]) => rng.shuffle(words).forEach((w, i) => map.set(words[i]!, w));
  permute(COLOURS);
  const shapes = rng.shuffle(SHAPES);
  SHAPES.forEach((s, i) => {
    map.set(s, shapes[i]!);
    map.set(SHAPE_PLURAL[s], SHAPE_PLURAL[shapes[i]!]);
  });
  permute(QUADRANTS);
  permute(CLIP_PARTS);
  return map;
}

function renameText(text: string, words: Map<string, string>, count: { from: string; to: string } | null): string {
  // Longest first, so "top-left" wins over a shorter alternative.
  const keys = [...words.keys()].sort((a, b) => b.length - a.length).map(escape);
  let out = text.replace(new RegExp(`\\b(?:${keys.join('|')})\\b`, 'g'), (w) => words.get(w) ?? w);
  if (count) {
    out = out.replace(new RegExp(`count=${count.from}\\b`, 'g'), `count=${count.to}`).replaceAll(`\\boxed{${count.from}}`, `\\boxed{${count.to}}`);
  }
  return out;
}

/** One counterfactual copy of `r` (same images, renamed answer words, a new count). */
export function counterfactualRecord(r: SftRecord, rng: Rng): SftRecord {
  const words = answerWordMap(rng);
  const text = r.messages.flatMap((m) => m.content.map((p) => (p.type === 'text' ? p.text : ''))).join('\n');
  const v = text.match(/count=(\d+)/)?.[1];
  const count = v !== undefined ? { from: v, to: String(rng.int(0, 20)) } : null;
  const messages: Message[] = r.messages.map((m) => ({
    role: m.role,
    content: m.content.map((p) => (p.type === 'text' ? { type: 'text' as const, text: renameText(p.text, words, count) } : p)),
  }));
  return { ...r, messages };
}

/**
 * The records followed by `copies` counterfactual copies of each record that called a tool (0:
 * the records alone). A direct answer has nothing to copy: its renamed copy would only teach
 * the model to answer at random, which is what RL must weigh the tool path against.
 */
export function withCounterfactuals(records: SftRecord[], copies: number, rng: Rng): SftRecord[] {
  const out = [...records];
  const withTools = records.filter((r) => r.toolCalls > 0);
  for (let c = 0; c < copies; c++) for (const r of withTools) out.push(counterfactualRecord(r, rng));
  return out;
}
