/**
 * The scripted expert's 'toolkit' strategy: one short call to a helper every session has bound
 * (workers/python/py/pv_tools.py: find, count, scan_video), then the answer read back from
 * what the helper printed.
 *
 * This is the strategy the tiny policy is cold-started on. Its tool calls are one line (~20
 * tokens instead of ~1,000 for the written-out scans), so whole trajectories fit the model's
 * context with room to spare, and everything the policy must copy — the helper's arguments from
 * the question, the answer from the printed line — is a word or a number. Nothing here reads
 * the task's truth: the call depends on the question only, the answer on the observation only.
 */
import type { Task } from '../tasks/types';
import { SHAPE_PLURAL, type ColourName, type ShapeName } from '../tasks/palette';
import type { VideoQuestion } from '../tasks/videoEvents';
import type { VisualSearchQuestion } from '../tasks/visualSearch';
import type { Rng } from '../tasks/rng';
import { answerFromPlan, planCode, planImageQuestion, planReasoning, planVideoQuestion, type RealPlan } from './realPlanner';

export interface ToolkitStep {
  text: string;
  code: string;
}

/** The helper's query: the question's own words, so the policy copies them token for token. */
const phrase = (words: string) => `"the ${words}"`;

/** The rule-based plan for a question about the user's own (real) media, or null. */
export function realPlanOf(task: Task): RealPlan | null {
  if (task.family !== 'user') return null;
  return task.media.kind === 'image' ? planImageQuestion(task.question) : planVideoQuestion(task.question);
}

/** What a visual-search question names: colour and position questions name the shape, shape questions the colour. */
function searchWords(task: Task): string {
  return task.truth.question === 'shape' ? `${task.truth.colour as ColourName} object` : (task.truth.shape as ShapeName);
}

/** The single helper call for a task, with a line of reasoning before it. */
export function toolkitSteps(task: Task, rng: Rng): ToolkitStep[] {
  const real = realPlanOf(task);
  if (real) return [{ text: planReasoning(real, (xs) => rng.pick(xs)), code: planCode(real) }];
  if (task.family === 'visual-search') {
    const words = searchWords(task);
    return [
      {
        text: rng.pick([`The ${words} may be too small to see at this scale. I'll find the ${words} with code.`, `Let me locate the ${words} with find() and look at it.`]),
        code: `hits = find(image_clue_0, ${phrase(words)})`,
      },
    ];
  }
  if (task.family === 'counting') {
    const colour = (task.truth.colour as ColourName | null) ?? null;
    const shape = (task.truth.shape as ShapeName | null) ?? null;
    const words = colour && shape ? `${colour} ${SHAPE_PLURAL[shape]}` : colour ? `${colour} shapes` : SHAPE_PLURAL[shape!];
    return [
      {
        text: rng.pick([`Counting by eye is error-prone, so I'll count the ${words} with code.`, `Let me count the ${words} with count().`]),
        code: `n = count(image_clue_0, ${phrase(words)})`,
      },
    ];
  }
  if (task.family === 'video-events') {
    return [
      {
        text: rng.pick([
          `I can only see the frames I fetch. I'll scan the video for objects that come and go.`,
          `Let me find what appears and disappears with scan_video().`,
        ]),
        code: 'events = scan_video(video_clue_0)',
      },
    ];
  }
  return [];
}

/**
 * The 'toolkit-check' strategy (the collapse demo's start, issue 13): on visual search, three
 * calls instead of one — locate the target with find(), zoom into its box, then find() it again
 * in the zoomed crop to check it — so a tool episode makes several calls and the accumulative
 * tool reward (0.1 × calls, on right answers) is worth 0.3, as in PyVision-RL's multi-call
 * episodes. Each call is one more chance of a slip and one more turn of the budget. The answer is
 * read from the check's printout. Other families keep their single call.
 */
export function toolkitCheckSteps(task: Task, rng: Rng): ToolkitStep[] {
  const steps = toolkitSteps(task, rng);
  if (task.family !== 'visual-search' || steps.length !== 1) return steps;
  const words = searchWords(task);
  return [
    steps[0]!,
    {
      text: rng.pick([`find() printed a box. Let me zoom into it to see the ${words} up close.`, `I'll enlarge the box of the first match.`]),
      code: 'crop = zoom(image_clue_0, hits[0][2])',
    },
    {
      text: rng.pick([`Let me check the ${words} again in the zoomed crop.`, `To be sure, I'll find the ${words} in the crop too.`]),
      code: `check = find(crop, ${phrase(words)}, show=False)`,
    },
  ];
}

/** The `key=value` fields of the first printed line whose first field is `first=` (after an optional ordinal word). */
function fields(observation: string, first: string): Record<string, string> | null {
  const line = observation.split('\n').find((l) => new RegExp(`^  (?:[a-z]+ )?${first}=`).test(l));
  if (!line) return null;
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=(\([^)]*\)|\S+(?: (?!\w+=)\S+)*)/g)) out[m[1]!] = m[2]!;
  return out;
}

/**
 * The answer read from a helper's printout, or null when it printed nothing usable. The
 * reasoning quotes the one `key=value` field that answers the question, then boxes its value.
 */
export function answerFromToolkit(task: Task, observation: string): { answer: string; text: string } | null {
  const real = realPlanOf(task);
  if (real) return answerFromPlan(real, observation);
  if (task.family === 'visual-search') {
    const f = fields(observation, 'colour');
    if (!f?.colour || !f.shape || !f.quadrant) return null;
    const q = task.truth.question as VisualSearchQuestion;
    const key = q === 'colour' ? 'colour' : q === 'shape' ? 'shape' : 'quadrant';
    return { answer: f[key]!, text: `find() printed ${key}=${f[key]} for the first match.` };
  }
  if (task.family === 'counting') {
    const m = observation.match(/count=(\d+)/);
    if (!m) return null;
    return { answer: m[1]!, text: `count() printed count=${m[1]}.` };
  }
  if (task.family === 'video-events') {
    const f = fields(observation, 'object');
    if (!f?.object || !f.colour || !f.shape || !f.part) return null;
    const q = task.truth.question as VideoQuestion;
    const key = q === 'what-colour' ? 'colour' : q === 'what-shape' ? 'shape' : q === 'when' ? 'part' : 'object';
    // "first object=" is how scan_video starts the first event's line: the words before the
    // value the policy copies name that line alone (copyHead.ts, context matching).
    if (key === 'object') return { answer: f.object!, text: `scan_video printed the first object=${f.object}, so it appeared first.` };
    return { answer: f[key]!, text: `The first object that came and went has ${key}=${f[key]}.` };
  }
  return null;
}
