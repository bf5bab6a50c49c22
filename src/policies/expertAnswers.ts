/**
 * How the scripted expert (scriptedExpert.ts) reads its answer back from an observation: the
 * zoomed crop's pixels (perception.ts), the printed count, the printed frame ranges and the shown
 * frames; and the plausible wrong guess of its 'guess' imperfection. Nothing here reads the
 * task's truth for the answer itself, only to know where in a figure the target sits.
 */
import type { ContentPart, PolicyContext } from '../agent/types';
import type { Pixels } from '../runtime/types';
import { COLOURS, SHAPES, type ColourName } from '../tasks/palette';
import { findBlobs, findNamed, readTarget, type Blob, type Reading } from '../tasks/perception';
import type { Rng } from '../tasks/rng';
import type { Task } from '../tasks/types';
import { CLIP_PARTS, partOf, type VideoQuestion } from '../tasks/videoEvents';
import { QUADRANTS, quadrantOf, type VisualSearchQuestion } from '../tasks/visualSearch';
import { checkAnswer } from '../tasks/check';
import type { Window } from './expertScripts';
import { cropFromSearch } from './searchScripts';

/** A visual-search step's crop window and zoom, to map the target into the figure. */
export interface CropView {
  window: Window;
  zoom: number;
}

/** The images of the latest observation (indices into ctx.images), in order. */
export function lastObservationImages(ctx: PolicyContext): Pixels[] {
  const last = ctx.messages[ctx.messages.length - 1];
  if (!last || last.role !== 'user') return [];
  return last.content.filter((p): p is Extract<ContentPart, { type: 'image' }> => p.type === 'image').map((p) => ctx.images[p.image]!).filter(Boolean);
}

export function observationText(ctx: PolicyContext, back = 0): string {
  const users = ctx.messages.filter((m) => m.role === 'user');
  const m = users[users.length - 1 - back];
  return m ? m.content.map((p) => (p.type === 'text' ? p.text : '')).join('') : '';
}

/** A plausible wrong answer (never an accepted one). */
export function wrongGuess(task: Task, rng: Rng): string {
  let options: string[];
  if (task.answerSpec?.kind === 'number') {
    const v = task.answerSpec.value;
    options = [v - 2, v - 1, v + 1, v + 2].filter((x) => x >= 0).map(String);
  } else if (task.family === 'visual-search') {
    const q = task.truth.question as VisualSearchQuestion;
    options = q === 'colour' ? [...COLOURS] : q === 'shape' ? [...SHAPES] : [...QUADRANTS];
  } else if (task.family === 'video-events') {
    const q = task.truth.question as VideoQuestion;
    options = q === 'what-colour' ? [...COLOURS] : q === 'what-shape' ? [...SHAPES] : q === 'when' ? [...CLIP_PARTS] : [...((task.truth.boxes ?? []).map((b) => b.label))];
  } else options = ['yes', 'no', '1'];
  const wrong = options.filter((o) => !task.answerSpec || !checkAnswer(task.answerSpec, o));
  return wrong.length ? rng.pick(wrong) : options[0] ?? 'unknown';
}

/** Reads the answer from the last observation; null when it shows nothing usable. */
export function answerFromObservation(task: Task, ctx: PolicyContext, step: { view?: CropView } | undefined): { answer: string; text: string } | null {
  const figs = lastObservationImages(ctx);
  const obs = observationText(ctx);
  if (task.family === 'visual-search' && step?.view && figs.length) {
    const fig = figs[figs.length - 1]!;
    const { window: w, zoom } = step.view;
    const b = task.truth.boxes![0]!;
    const exact = fig.width === (w.x1 - w.x0) * zoom && fig.height === (w.y1 - w.y0) * zoom;
    let r: Reading;
    if (exact) {
      r = readTarget(fig, { x0: (b.x0 - w.x0) * zoom, y0: (b.y0 - w.y0) * zoom, x1: (b.x1 - w.x0) * zoom, y1: (b.y1 - w.y0) * zoom }, 2 * zoom);
    } else {
      // A figure of another size (real matplotlib adds margins): the blob nearest to where
      // the target sits proportionally.
      const px = (((b.x0 + b.x1) / 2 - w.x0) / (w.x1 - w.x0)) * fig.width;
      const py = (((b.y0 + b.y1) / 2 - w.y0) / (w.y1 - w.y0)) * fig.height;
      const d = (x: Blob) => Math.hypot((x.box.x0 + x.box.x1) / 2 - px, (x.box.y0 + x.box.y1) / 2 - py);
      const near = findBlobs(fig, { minArea: 4 }).sort((a, c) => d(a) - d(c))[0];
      r = near ? { colour: near.colour, shape: near.shape, area: near.area, box: near.box } : { colour: null, shape: null, area: 0, box: null };
    }
    if (!r.colour || !r.shape || !r.box) return null;
    const q = task.truth.question as VisualSearchQuestion;
    const sx = (w.x1 - w.x0) / fig.width;
    const cx = w.x0 + ((r.box.x0 + r.box.x1) / 2) * sx;
    const cy = w.y0 + ((r.box.y0 + r.box.y1) / 2) * sx;
    const { width: W, height: H } = task.media.kind === 'image' ? task.media.image : { width: 1, height: 1 };
    const answer = q === 'colour' ? r.colour : q === 'shape' ? r.shape : quadrantOf(cx, cy, W, H);
    const text =
      q === 'position'
        ? `The zoomed crop shows a ${r.colour} ${r.shape} centred at about (${Math.round(cx)}, ${Math.round(cy)}) in the ${W}×${H} image, which is the ${answer} part.`
        : `In the enlarged crop the object is clear: it is a ${r.colour} ${r.shape}. So the answer is ${answer}.`;
    return { answer, text };
  }
  if (task.family === 'counting') {
    const m = [...obs.matchAll(/Number of ([^:\n]+): (\d+)/g)].pop();
    if (!m) return null;
    return { answer: m[2]!, text: `The program found ${m[2]} ${m[1]}; the listed components look like whole objects (no specks), so the count is ${m[2]}.` };
  }
  if (task.family === 'video-events') {
    const events = [...obs.matchAll(/^(\w+): visible in frames (\d+)-(\d+) of (\d+)/gm)].map((m, i) => ({
      colour: m[1] as ColourName,
      a: Number(m[2]),
      b: Number(m[3]),
      n: Number(m[4]),
      fig: figs[i],
    }));
    if (!events.length) return null;
    const seen = events.map((e) => {
      const blob = e.fig ? findNamed(e.fig, { colour: e.colour }) : null;
      return { ...e, shape: blob?.shape ?? null, colour: blob?.colour ?? e.colour };
    });
    const q = task.truth.question as VideoQuestion;
    const first = seen[0]!;
    const desc = seen.map((e) => `a ${e.colour}${e.shape ? ` ${e.shape}` : ' object'} in frames ${e.a}–${e.b}`).join(', then ');
    if (q === 'what-colour') return { answer: first.colour, text: `The object that comes and goes is ${desc}. Its colour is ${first.colour}.` };
    if (q === 'what-shape' && first.shape) return { answer: first.shape, text: `The object that comes and goes is ${desc}. In the frame it is clearly a ${first.shape}.` };
    if (q === 'when') {
      const wanted = task.question.match(/A (\w+) (\w+) appears/)?.[1];
      const e = seen.find((s) => s.colour === wanted) ?? first;
      const part = partOf((e.a + e.b) / 2, e.n);
      return { answer: part, text: `The ${e.colour} object is visible in frames ${e.a}–${e.b} of ${e.n}, i.e. in the ${part === 'middle' ? 'middle' : part === 'end' ? 'last third' : 'first third'} of the clip.` };
    }
    if (q === 'order' && first.shape) return { answer: `${first.colour} ${first.shape}`, text: `I saw ${desc}. So the ${first.colour} ${first.shape} appears first.` };
    return null;
  }
  return null;
}

/** search-then-crop's answer: the object nearest the shown crop's centre; position from the search's print. */
export function answerFromSearchCrop(task: Task, ctx: PolicyContext): { answer: string; text: string } | null {
  const figs = lastObservationImages(ctx);
  const fig = figs[figs.length - 1];
  if (task.family !== 'visual-search' || !fig) return null;
  const q = task.truth.question as VisualSearchQuestion;
  if (q === 'position') {
    const found = cropFromSearch(observationText(ctx, 1));
    if (!found?.quadrant) return null;
    const w = found.window;
    return {
      answer: found.quadrant,
      text: `The crop shows the ${task.truth.shape} the search found, centred near (${Math.round((w.x0 + w.x1) / 2)}, ${Math.round((w.y0 + w.y1) / 2)}): the ${found.quadrant} part of the image.`,
    };
  }
  const d = (x: Blob) => Math.hypot((x.box.x0 + x.box.x1 - fig.width) / 2, (x.box.y0 + x.box.y1 - fig.height) / 2);
  const near = findBlobs(fig, { minArea: 4 }).sort((a, c) => d(a) - d(c))[0];
  if (!near) return null;
  const answer = q === 'colour' ? near.colour : near.shape;
  return { answer, text: `The crop shows the object clearly: a ${near.colour} ${near.shape}. So the answer is ${answer}.` };
}
