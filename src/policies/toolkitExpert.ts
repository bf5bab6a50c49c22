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

export interface ToolkitStep {
  text: string;
  code: string;
}

const args = (colour: string | null, shape: string | null) =>
  [colour ? `colour="${colour}"` : '', shape ? `shape="${shape}"` : ''].filter(Boolean).join(', ');

/** The single helper call for a task, with a line of reasoning before it. */
export function toolkitSteps(task: Task, rng: Rng): ToolkitStep[] {
  if (task.family === 'visual-search') {
    const q = task.truth.question as VisualSearchQuestion;
    // Colour and position questions name the shape; shape questions name the colour.
    const colour = q === 'shape' ? (task.truth.colour as ColourName) : null;
    const shape = q === 'shape' ? null : (task.truth.shape as ShapeName);
    const thing = colour ? `the ${colour} object` : `the ${shape}`;
    return [
      {
        text: rng.pick([
          `${thing[0]!.toUpperCase()}${thing.slice(1)} may be too small to see at this scale. I'll find it with code.`,
          `Let me locate ${thing} with find() and look at it.`,
        ]),
        code: `hits = find(image_clue_0, ${args(colour, shape)})`,
      },
    ];
  }
  if (task.family === 'counting') {
    const colour = (task.truth.colour as ColourName | null) ?? null;
    const shape = (task.truth.shape as ShapeName | null) ?? null;
    const what = colour && shape ? `${colour} ${SHAPE_PLURAL[shape]}` : colour ? `${colour} shapes` : SHAPE_PLURAL[shape!];
    return [
      {
        text: rng.pick([`Counting by eye is error-prone, so I'll count the ${what} with code.`, `Let me count the ${what} with count().`]),
        code: `n = count(image_clue_0, ${args(colour, shape)})`,
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

/** The answer read from a helper's printout, or null when it printed nothing usable. */
export function answerFromToolkit(task: Task, observation: string): { answer: string; text: string } | null {
  if (task.family === 'visual-search') {
    const m = observation.match(/^ {2}(\w+) (\w+) at \((\d+), (\d+), (\d+), (\d+)\), centre \((\d+), (\d+)\): ((?:top|bottom)-(?:left|right))$/m);
    if (!m) return null;
    const [colour, shape, quadrant] = [m[1]!, m[2]!, m[9]!];
    const q = task.truth.question as VisualSearchQuestion;
    const answer = q === 'colour' ? colour : q === 'shape' ? shape : quadrant;
    return { answer, text: `find() shows a ${colour} ${shape} in the ${quadrant} part of the image. So the answer is ${answer}.` };
  }
  if (task.family === 'counting') {
    const m = observation.match(/Number of ([^:\n]+): (\d+)/);
    if (!m) return null;
    return { answer: m[2]!, text: `count() found ${m[2]} ${m[1]}.` };
  }
  if (task.family === 'video-events') {
    const m = observation.match(/^ {2}(\w+) (\w+): frames (\d+)-(\d+) of \d+ \([^)]*\), (beginning|middle|end) of the clip$/m);
    if (!m) return null;
    const [colour, shape, part] = [m[1]!, m[2]!, m[5]!];
    const q = task.truth.question as VideoQuestion;
    const answer = q === 'what-colour' ? colour : q === 'what-shape' ? shape : q === 'when' ? part : `${colour} ${shape}`;
    return { answer, text: `The first object that comes and goes is a ${colour} ${shape}, in the ${part} of the clip. So the answer is ${answer}.` };
  }
  return null;
}
