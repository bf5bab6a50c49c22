/**
 * The scripted expert (kind 'scripted'): the oracle that writes SFT traces and is the upper
 * baseline. It reads the task's truth only to know WHERE to look (the target's box, the
 * object sizes, how short the event is); every answer comes from what its code showed or
 * printed: the zoomed crop's pixels read with perception.ts, the printed count, the printed
 * frame ranges and the shown frames.
 *
 * Per family (tool calls, then the answer; within the 5-turn training budget):
 * - visual search: a coarse crop around the target's region, then a tight zoomed crop (large
 *   targets: the tight crop only), then reads the target in the last figure; with
 *   strategy 'search-then-crop' (searchScripts.ts) Python locates the target instead: a scan
 *   that prints the match's box and a crop window, a crop of that printed window, the answer;
 * - counting: one program that counts with colour masks and connected components;
 * - video: a coarse colour scan of evenly spaced frames, then a dense look around each
 *   object that came and went (showing its middle frame), then answers.
 *
 * Stateless: each call re-derives the same plan from (seed, task id, turn budget) with its own
 * rng, so traces are reproducible and calls may come from any process. Imperfections (all 0
 * by default): skipToolsProb (answer at once from the global view), slipProb (a coding slip,
 * fixed on the next turn when errors are fed back), guessProb (answer at once with a plausible
 * wrong guess).
 */
import { formatAnswer, formatCodeBlock } from '../agent/protocol';
import type { Policy, PolicyContext, PolicyTurn } from '../agent/types';
import { SHAPE_PLURAL, type ColourName, type ShapeName } from '../tasks/palette';
import { Rng, hashSeed } from '../tasks/rng';
import type { Task } from '../tasks/types';
import type { VisualSearchQuestion } from '../tasks/visualSearch';
import { cropShowCode, countingCode, makeSlip, videoLookCode, videoScanCode, type Window } from './expertScripts';
import { cropFromSearch, searchCode, type SearchQuery } from './searchScripts';
import { GLOBAL_VIEW_MAX_SIDE, globalViewReading, uniformFrameIndices } from './globalViewBaseline';
import { answerFromToolkit, realPlanOf, toolkitCheckSteps, toolkitSteps } from './toolkitExpert';
import { answerFromObservation, answerFromSearchCrop, observationText, wrongGuess, type CropView } from './expertAnswers';

export interface ScriptedExpertOptions {
  seed?: number;
  skipToolsProb?: number;
  slipProb?: number;
  guessProb?: number;
  /**
   * How visual search finds the target. 'oracle-crop' (default): crops around the truth box
   * (privileged: it knows where to look). 'search-then-crop': turn 1 runs Python that scans
   * the image for the named colour/shape and prints the candidates' boxes and a crop window;
   * turn 2 copies that window into a crop and shows it; turn 3 answers from the crop. Nothing
   * about the target's position comes from the truth, so a small policy can learn it.
   * 'toolkit' (toolkitExpert.ts): every family in one line calling a pre-bound helper (find,
   * count, scan_video), the answer read from its printout; what the tiny policy learns.
   * 'toolkit-check': the same, but visual search locates, zooms and checks (three calls; the
   * collapse demo's start, toolkitExpert.ts).
   */
  strategy?: ExpertStrategy;
}

export type ExpertStrategy = 'oracle-crop' | 'search-then-crop' | 'toolkit' | 'toolkit-check';
export const EXPERT_STRATEGIES: readonly ExpertStrategy[] = ['oracle-crop', 'search-then-crop', 'toolkit', 'toolkit-check'];
const isToolkit = (s: ExpertStrategy) => s === 'toolkit' || s === 'toolkit-check';

/** One planned tool call: its reasoning and code; `slip` marks the broken first attempt. */
interface ToolStep {
  text: string;
  code: string;
  /** For visual search: the crop window and zoom, to map the target into the figure. */
  view?: CropView;
  /** 'crop-from-search': the code is written at run time from the search's printed crop box. */
  dynamic?: 'crop-from-search';
}

interface Plan {
  mode: 'tools' | 'skip' | 'guess';
  steps: ToolStep[];
  /** Index of the step that is first written with a slip (-1: none), and the slip. */
  slipAt: number;
  slip: { code: string; what: string } | null;
}

const clampInt = (v: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, v)));

/** A window of side ~L (clamped to the image) containing box b at a jittered position. */
function windowAround(b: Window, L: number, W: number, H: number, rng: Rng, spread: number): Window {
  const cx = (b.x0 + b.x1) / 2;
  const cy = (b.y0 + b.y1) / 2;
  const Lx = Math.min(W, Math.max(L, b.x1 - b.x0 + 8));
  const Ly = Math.min(H, Math.max(L, b.y1 - b.y0 + 8));
  const fx = rng.float(0.5 - spread, 0.5 + spread);
  const fy = rng.float(0.5 - spread, 0.5 + spread);
  let x0 = clampInt(cx - Lx * fx, 0, W - Lx);
  let y0 = clampInt(cy - Ly * fy, 0, H - Ly);
  // Keep the whole target inside with a few pixels to spare.
  x0 = Math.min(x0, Math.max(0, Math.floor(b.x0) - 4));
  y0 = Math.min(y0, Math.max(0, Math.floor(b.y0) - 4));
  x0 = Math.max(x0, Math.min(W - Lx, Math.ceil(b.x1) + 4 - Lx));
  y0 = Math.max(y0, Math.min(H - Ly, Math.ceil(b.y1) + 4 - Ly));
  return { x0, y0, x1: Math.min(W, x0 + Lx), y1: Math.min(H, y0 + Ly) };
}

function where(b: Window, W: number, H: number): string {
  const v = (b.y0 + b.y1) / 2 < H / 3 ? 'upper' : (b.y0 + b.y1) / 2 > (2 * H) / 3 ? 'lower' : 'middle';
  const h = (b.x0 + b.x1) / 2 < W / 3 ? 'left' : (b.x0 + b.x1) / 2 > (2 * W) / 3 ? 'right' : 'centre';
  return v === 'middle' && h === 'centre' ? 'central' : v === 'middle' ? `${h}-middle` : `${v}-${h}`;
}

function visualSearchSteps(task: Task, rng: Rng, budget: number): ToolStep[] {
  if (task.media.kind !== 'image') return [];
  const { width: W, height: H } = task.media.image;
  const b = task.truth.boxes![0]!;
  const q = task.truth.question as VisualSearchQuestion;
  const thing = q === 'shape' ? `the ${task.truth.colour} object` : `the ${task.truth.shape}`;
  const s = Math.max(b.x1 - b.x0, b.y1 - b.y0);
  const inView = (s * Math.min(1, GLOBAL_VIEW_MAX_SIDE / Math.max(W, H))) >= 20;
  const steps: ToolStep[] = [];
  if (!inView && budget >= 3) {
    const L = clampInt(Math.max(W, H) * 0.25, Math.min(6 * s, 512), 512);
    const w = windowAround(b, L, W, H, rng, 0.25);
    const region = where(w, W, H);
    steps.push({
      text: rng.pick([
        `The image is ${W}×${H} and ${thing} is too small to make out at this scale. I'll zoom into the ${region} region first to locate it.`,
        `${thing[0]!.toUpperCase()}${thing.slice(1)} must be small: nothing obvious stands out in the full view. Let me crop the ${region} part of the image and look there.`,
        `To answer I first need to find ${thing}. I'll start by enlarging the ${region} area of the image.`,
      ]),
      code: cropShowCode(w, { name: 'region', zoom: 1, comment: `coarse look at the ${region} part of the image` }),
      view: { window: w, zoom: 1 },
    });
  }
  const L2 = Math.max(5 * s, 48);
  const w = windowAround(b, L2, W, H, rng, 0.15);
  const zoom = clampInt(320 / Math.max(w.x1 - w.x0, w.y1 - w.y0), 1, 8);
  steps.push({
    text: steps.length
      ? rng.pick([
          `There is a small object near (${Math.round((b.x0 + b.x1) / 2)}, ${Math.round((b.y0 + b.y1) / 2)}) that could be ${thing}. Let me zoom in closely on it.`,
          `I can see a candidate for ${thing} in this region. A tighter crop, enlarged ${zoom}×, will show it clearly.`,
        ])
      : rng.pick([
          `I want to look at ${thing} closely before answering. Let me crop around it and enlarge the crop.`,
          `${thing[0]!.toUpperCase()}${thing.slice(1)} is visible, but I'll zoom in to be sure about it.`,
        ]),
    code: cropShowCode(w, { name: 'patch', zoom, comment: `zoom in on ${thing}` }),
    view: { window: w, zoom },
  });
  return steps;
}

/** search-then-crop: Python locates the target, then the printed window is cropped and shown. */
function searchSteps(task: Task, rng: Rng): ToolStep[] {
  const q = task.truth.question as VisualSearchQuestion;
  const query: SearchQuery = q === 'shape' ? { colour: task.truth.colour as ColourName } : { shape: task.truth.shape as ShapeName };
  const thing = 'colour' in query ? `the ${query.colour} object` : `the ${query.shape}`;
  return [
    {
      text: rng.pick([
        `${thing[0]!.toUpperCase()}${thing.slice(1)} may be too small to see in the full view, so I'll let Python find it: mask the flat colours, take the connected components and check their outlines.`,
        `Rather than hunt for ${thing} by eye, I'll search for it with code and print where it is.`,
        `First I need to locate ${thing}. A colour-mask scan of the image will give its box.`,
      ]),
      code: searchCode(query),
    },
    { text: '', code: '', dynamic: 'crop-from-search' },
  ];
}

function countingSteps(task: Task, rng: Rng): ToolStep[] {
  if (task.media.kind !== 'image') return [];
  const colour = (task.truth.colour as ColourName | null) ?? null;
  const shape = (task.truth.shape as ShapeName | null) ?? null;
  const plural = colour && shape ? `${colour} ${SHAPE_PLURAL[shape]}` : colour ? `${colour} shapes` : SHAPE_PLURAL[shape!];
  const k = Math.max(task.media.image.width, task.media.image.height) > 1100 ? 2 : 1;
  return [
    {
      text: rng.pick([
        `Counting by eye is error-prone with this many objects, so I'll count the ${plural} with code: mask each flat colour, find the connected components, and check each component's outline.`,
        `I'll let Python do the counting: the shapes are flat colours, so a colour mask plus connected components gives one component per object${shape ? ', and the outline tells the shape' : ''}.`,
      ]),
      code: countingCode({ colour, shape, plural, k }),
    },
  ];
}

function videoSteps(task: Task, rng: Rng, budget: number): ToolStep[] {
  if (task.media.kind !== 'video') return [];
  const n = task.media.video.meta.frameCount;
  const ev = task.truth.eventFrames ?? [0, n - 1];
  const shortest = Math.min(...((task.truth.clip as { events?: Array<{ frames: [number, number] }> } | undefined)?.events ?? [{ frames: ev }]).map((e) => e.frames[1] - e.frames[0] + 1));
  // Sample densely enough that no event can fall between two samples.
  const step = Math.max(1, Math.min(Math.ceil(n / 16), shortest));
  const scan: ToolStep = {
    text: rng.pick([
      `The clip has ${n} frames and I can only see what I fetch. I'll first sample every ${step}th frame and list which colours appear, to find the object that is not there all the time.`,
      `Let me get an overview first: check the colours present in frames spaced ${step} apart. Colours that show up only in some frames belong to objects that come and go.`,
    ]),
    code: videoScanCode(step),
  };
  const look: ToolStep = {
    text: rng.pick([
      `The scan shows which colour comes and goes. Now I'll check every frame around those sightings for the exact range, and look at a frame from the middle of it.`,
      `Let me look around the event more closely: find exactly when it is visible and show one frame from that moment.`,
    ]),
    code: videoLookCode(),
  };
  return budget >= 3 ? [scan, look] : [{ text: `${scan.text} Then I'll look at the event directly.`, code: `${scan.code}\n\n${look.code}` }];
}

function plan(task: Task, opts: Required<ScriptedExpertOptions>, maxTurns: number): { plan: Plan; rng: Rng } {
  const rng = new Rng(hashSeed('scripted-expert', opts.seed, task.id));
  const guess = rng.chance(opts.guessProb);
  const skip = rng.chance(opts.skipToolsProb);
  const slipRoll = rng.chance(opts.slipProb);
  const slipRng = rng.fork('slip');
  const stepRng = rng.fork('steps');
  // The user's own media: only the toolkit strategy has a plan (rules over the question).
  const noPlan = task.family === 'user' && (!isToolkit(opts.strategy) || !realPlanOf(task));
  if (guess || skip || noPlan || maxTurns < 2) return { plan: { mode: guess ? 'guess' : 'skip', steps: [], slipAt: -1, slip: null }, rng };
  const budget = maxTurns;
  const steps: ToolStep[] =
    opts.strategy === 'toolkit'
      ? toolkitSteps(task, stepRng)
      : opts.strategy === 'toolkit-check'
      ? toolkitCheckSteps(task, stepRng)
      : task.family === 'visual-search'
      ? opts.strategy === 'search-then-crop' && budget >= 3
        ? searchSteps(task, stepRng)
        : visualSearchSteps(task, stepRng, budget)
      : task.family === 'counting' ? countingSteps(task, stepRng) : videoSteps(task, stepRng, budget);
  // A slip costs a turn: only when the budget has room for the fix.
  let slipAt = -1;
  let slip = null;
  if (slipRoll && steps.length + 2 <= maxTurns) {
    slipAt = slipRng.int(0, steps.length - 1);
    if (steps[slipAt]!.dynamic) slipAt = 0;
    slip = makeSlip(steps[slipAt]!.code, slipRng);
    if (!slip) slipAt = -1;
  }
  return { plan: { mode: 'tools', steps, slipAt, slip }, rng };
}

/**
 * With video frames shown up front (the uniform-sampling baseline's prompt): the first shown frame
 * inside the asked event, or null. The expert is an oracle for what a frame shows: it knows
 * the event's frames; whether the policy can SEE it in a frame is what the baseline measures.
 */
function upFrontSighting(task: Task, ctx: PolicyContext): number | null {
  if (task.media.kind !== 'video' || ctx.turn !== 0) return null;
  const first = ctx.messages.find((m) => m.role === 'user');
  const shown = first ? first.content.filter((p) => p.type === 'image').length : 0;
  if (shown === 0) return null;
  const n = task.media.video.meta.frameCount;
  const [a, b] = task.truth.eventFrames ?? [0, n - 1];
  return uniformFrameIndices(n, shown).find((f) => f >= a && f <= b) ?? null;
}

export function createScriptedExpert(options: ScriptedExpertOptions = {}): Policy {
  const opts: Required<ScriptedExpertOptions> = { seed: 0, skipToolsProb: 0, slipProb: 0, guessProb: 0, strategy: 'oracle-crop', ...options };
  const reply = (ctx: PolicyContext, text: string): PolicyTurn => {
    ctx.onText?.(text);
    return { text, tokens: { count: Math.ceil(text.length / 4) } };
  };
  return {
    name: `scripted expert${opts.strategy !== 'oracle-crop' ? ` [${opts.strategy}]` : ''}${opts.skipToolsProb || opts.slipProb || opts.guessProb ? ` (skip ${opts.skipToolsProb}, slip ${opts.slipProb}, guess ${opts.guessProb})` : ''}`,
    kind: 'scripted',
    async next(ctx: PolicyContext): Promise<PolicyTurn> {
      const { task } = ctx;
      const { plan: p, rng } = plan(task, opts, ctx.maxTurns);
      const answerRng = rng.fork('answer');
      if (p.mode === 'guess') {
        const g = wrongGuess(task, answerRng);
        return reply(ctx, `From a quick look at the input, I think the answer is ${g}.\n${formatAnswer(g)}`);
      }
      const sighting = upFrontSighting(task, ctx);
      if (sighting !== null && task.answer !== null) return reply(ctx, `Frame ${sighting}, one of those shown, already has it, so I can answer without code.\n${formatAnswer(task.answer)}`);
      // Turn sequence: steps[0..], with the slipped step written twice (broken, then fixed).
      const turns: Array<{ step: number; broken: boolean }> = [];
      p.steps.forEach((_, i) => {
        if (i === p.slipAt) turns.push({ step: i, broken: true });
        turns.push({ step: i, broken: false });
      });
      const remaining = ctx.maxTurns - ctx.turn;
      if (p.mode === 'tools' && ctx.turn < turns.length && remaining > 1) {
        const t = turns[ctx.turn]!;
        const step = p.steps[t.step]!;
        if (t.broken) return reply(ctx, `${step.text}\n${formatCodeBlock(p.slip!.code)}`);
        if (step.dynamic) {
          const found = cropFromSearch(observationText(ctx));
          if (found) {
            const text = rng.fork(`crop-${ctx.turn}`).pick([
              `The search printed a crop box for the target. I'll crop exactly that window and look at it.`,
              `The scan found it. Let me show the printed crop box to read the object.`,
            ]);
            return reply(ctx, `${text}\n${formatCodeBlock(cropShowCode(found.window, { name: 'crop', zoom: 1, comment: 'the crop box printed by the search' }))}`);
          }
          // Nothing found: answer from what the global view shows.
          const g = await globalViewReading(task, opts.seed);
          return reply(ctx, `The search found no candidate, so I'll answer from the full view. ${g.seen}\n${formatAnswer(g.answer)}`);
        }
        const prev = turns[ctx.turn - 1];
        if (prev?.broken) {
          const err = observationText(ctx).match(/(\w+(?:Error|Exception))/)?.[1] ?? 'an error';
          return reply(ctx, `That failed with ${err}: ${p.slip!.what}. Let me fix it and run it again.\n${formatCodeBlock(step.code)}`);
        }
        return reply(ctx, `${step.text}\n${formatCodeBlock(step.code)}`);
      }
      // Answer: from the last observation when tools ran, else (or if unreadable) the global view.
      const lastStep = turns.length && ctx.turn > 0 ? p.steps[turns[Math.min(ctx.turn, turns.length) - 1]!.step] : undefined;
      const read =
        ctx.turn > 0 && lastStep
          ? isToolkit(opts.strategy)
            ? answerFromToolkit(task, observationText(ctx))
            : lastStep.dynamic
              ? answerFromSearchCrop(task, ctx)
              : answerFromObservation(task, ctx, lastStep)
          : null;
      if (read) return reply(ctx, `${read.text}\n${formatAnswer(read.answer)}`);
      if (task.family === 'user') return reply(ctx, `I have no tool result that answers this question, so I cannot tell.\n${formatAnswer('unknown')}`);
      const g = await globalViewReading(task, opts.seed);
      return reply(ctx, `${g.seen}\n${formatAnswer(g.answer)}`);
    },
  };
}
