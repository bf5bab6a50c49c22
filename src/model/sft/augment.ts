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
import { COCO_LABELS, COLOUR_NAMES, pluralOf, type CocoLabel } from '../../perception/vocabulary';
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

// ---- real media: object words, colour words, read text, yes/no ----

const ANIMALS: CocoLabel[] = ['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe'];
const VEHICLES: CocoLabel[] = ['bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat'];
const FOODS: CocoLabel[] = ['banana', 'apple', 'sandwich', 'broccoli', 'carrot', 'pizza', 'donut', 'cake'];
const GROUPS = [ANIMALS, VEHICLES, FOODS, COCO_LABELS.filter((l) => !ANIMALS.includes(l) && !VEHICLES.includes(l) && !FOODS.includes(l) && l !== 'orange' && l !== 'person')];
// "orange" is both a colour and a fruit: it keeps its name, so one map never renames it twice.
const REAL_COLOURS = COLOUR_NAMES.filter((c) => c !== 'orange');
const FAKE_TEXT = ['OPEN', 'SALE', 'EXIT', 'Bakery', 'NORTH', '42', '1907', 'GARDEN CAFE', 'STOP', 'Books', 'PLATFORM 3', 'Welcome', 'FRESH FISH', '250', 'HOTEL', 'TAXI'];

/** A renaming for a real-media record: object words within their group (singular and plural), colour words. */
export function realWordMap(rng: Rng): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of GROUPS) {
    const to = rng.shuffle(group);
    group.forEach((l, i) => {
      map.set(l, to[i]!);
      map.set(pluralOf(l), pluralOf(to[i]!));
    });
  }
  const colours = rng.shuffle(REAL_COLOURS);
  REAL_COLOURS.forEach((c, i) => map.set(c, colours[i]!));
  permuteInto(map, CLIP_PARTS, rng);
  return map;
}

function permuteInto(map: Map<string, string>, words: readonly string[], rng: Rng): void {
  rng.shuffle(words).forEach((w, i) => map.set(words[i]!, w));
}

/** One counterfactual copy of a real-media record: renamed objects and colours, new read text, a flipped yes/no. */
export function realCounterfactualRecord(r: SftRecord, rng: Rng): SftRecord {
  const words = realWordMap(rng);
  const all = r.messages.flatMap((m) => m.content.map((p) => (p.type === 'text' ? p.text : ''))).join('\n');
  const v = all.match(/count=(\d+)/)?.[1];
  const count = v !== undefined ? { from: v, to: String(rng.int(0, 12)) } : null;
  const text = all.match(/^ {2}text=(.+)$/m)?.[1];
  const newText = text && text !== 'none' ? rng.pick(FAKE_TEXT) : null;
  const flip = /\\boxed\{(yes|no)\}/.test(all) && rng.chance(0.5);
  const edit = (t: string) => {
    let out = renameText(t, words, count);
    if (newText && text) out = out.split(text).join(newText);
    if (flip) out = out.replace(/found=(yes|no)\b/g, (_, x) => `found=${x === 'yes' ? 'no' : 'yes'}`).replace(/\\boxed\{(yes|no)\}/g, (_, x) => `\\boxed{${x === 'yes' ? 'no' : 'yes'}}`);
    return out;
  };
  const messages: Message[] = r.messages.map((m) => ({ role: m.role, content: m.content.map((p) => (p.type === 'text' ? { type: 'text' as const, text: edit(p.text) } : p)) }));
  return { ...r, messages };
}

const isReal = (r: SftRecord) => r.suite === 'real-photo' || r.suite === 'real-video';

/**
 * The records followed by `copies` counterfactual copies of each record that called a tool (0:
 * the records alone). A direct answer has nothing to copy: its renamed copy would only teach
 * the model to answer at random, which is what RL must weigh the tool path against.
 */
export function withCounterfactuals(records: SftRecord[], copies: number, rng: Rng): SftRecord[] {
  const out = [...records];
  const withTools = records.filter((r) => r.toolCalls > 0);
  for (let c = 0; c < copies; c++) for (const r of withTools) out.push(isReal(r) ? realCounterfactualRecord(r, rng) : counterfactualRecord(r, rng));
  return out;
}
