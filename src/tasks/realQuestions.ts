/**
 * Question wordings for the real-media training tasks: many phrasings per kind, every object
 * word the tools know (COCO's 80 classes, plurals, everyday synonyms) and some they do not.
 * Every wording is one the rule planner (src/policies/realPlanner.ts) reads back into the
 * intended tool call with a phrase copied verbatim from the question — a unit test checks it
 * over thousands of draws — so the scripted expert's traces teach one consistent mapping.
 */
import { CATEGORIES, COCO_LABELS, SYNONYMS, pluralOf, type CocoLabel } from '../perception/vocabulary';
import type { RealKind } from '../policies/realPlanner';
import type { Rng } from './rng';

/** Everyday singular words for a label (the label itself first). */
export function wordsFor(label: CocoLabel): string[] {
  const extra = Object.entries(SYNONYMS)
    .filter(([w, l]) => l === label && !w.endsWith('s') && !['men', 'women', 'children', 'people', 'cattle', 'geese', 'mice', 'glasses'].includes(w))
    .map(([w]) => w);
  return [label, ...extra];
}

const IRREGULAR: Record<string, string> = {
  person: 'people', man: 'men', woman: 'women', child: 'children', mouse: 'mice', goose: 'geese', knife: 'knives',
  sheep: 'sheep', fish: 'fish', deer: 'deer', bison: 'bison', glass: 'glasses', calf: 'calves', puppy: 'puppies',
  pony: 'ponies', lorry: 'lorries', kitty: 'kitties', baby: 'babies', strawberry: 'strawberries', cherry: 'cherries',
};

export function plural(word: string): string {
  if (IRREGULAR[word]) return IRREGULAR[word]!;
  const label = COCO_LABELS.find((l) => l === word);
  if (label) return pluralOf(label);
  if (/(s|x|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

const an = (w: string) => (/^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`);
const PLACE = ['in the picture', 'in this photo', 'in the image', 'here', 'in the photo'];

export interface PhotoQuestionTarget {
  /** The object word to ask about (a label, a synonym or an unknown noun). */
  word?: string;
  /** For "which": the category word (animal, vehicle, fruit, …). */
  category?: string;
  /** For counting by colour: a colour word before the noun ("the red candies"). */
  colour?: string;
}

/** One question of `kind` about an image. */
export function photoQuestion(kind: RealKind, t: PhotoQuestionTarget, rng: Rng): string {
  const w = t.word ?? 'object';
  const ws = plural(w);
  const place = rng.pick(PLACE);
  switch (kind) {
    case 'colour':
      return rng.pick([
        `What colour is the ${w}?`,
        `What color is the ${w}?`,
        `What colour are the ${ws}?`,
        `What is the colour of the ${w}?`,
        `Which colour is the ${w} ${place}?`,
        `Tell me the color of the ${w}.`,
        `What colour is the ${w} ${place}?`,
      ]);
    case 'count': {
      const thing = t.colour ? `${t.colour} ${ws}` : ws;
      return rng.pick([`How many ${thing} are there?`, `How many ${thing} are ${place}?`, `How many ${thing} can you see?`, `Count the ${thing}.`, `How many ${thing} do you see ${place}?`]);
    }
    case 'which': {
      const c = t.category ?? 'animal';
      return rng.pick([`Which ${c} is ${place}?`, `What ${c} is shown ${place}?`, `Which ${c} can you see?`, `What kind of ${c} is ${place}?`, `What ${c} is this?`, `Which ${c} is shown?`]);
    }
    case 'yesno':
      return rng.pick([`Is there ${an(w)} ${place}?`, `Are there any ${ws} ${place}?`, `Can you see ${an(w)}?`, `Does the picture show ${an(w)}?`, `Is there ${an(w)}?`, `Do you see any ${ws}?`]);
    case 'text':
      return rng.pick([`What does the sign say?`, `What is written on the sign?`, `What text is in the picture?`, `Read the text in the image.`, `What does the text say?`, `What word is written ${place}?`, `What is written ${place}?`]);
    default:
      throw new Error(`no photo question of kind ${kind}`);
  }
}

export interface VideoQuestionTarget {
  word?: string;
  other?: string;
  category?: string;
}

/** One question of `kind` about a video. */
export function videoQuestion(kind: RealKind, t: VideoQuestionTarget, rng: Rng): string {
  const w = t.word ?? 'object';
  const where = rng.pick(['in the video', 'in the clip', 'in this video']);
  switch (kind) {
    case 'which': {
      const c = t.category ?? 'animal';
      return rng.pick([`Which ${c} appears ${where}?`, `What ${c} is shown ${where}?`, `Which ${c} can you see ${where}?`, `What kind of ${c} appears ${where}?`]);
    }
    case 'yesno':
      return rng.pick([`Does ${an(w)} appear ${where}?`, `Is there ${an(w)} ${where}?`, `Do you see ${an(w)} ${where}?`, `Does ${an(w)} show up ${where}?`]);
    case 'when':
      return rng.pick([
        `When does the ${w} appear: at the beginning, in the middle or at the end?`,
        `When does the ${w} show up ${where}?`,
        `At what point does the ${w} appear?`,
      ]);
    case 'first':
      return rng.pick([`What appears first, the ${w} or the ${t.other}?`, `Which comes first, the ${w} or the ${t.other}?`, `What shows up first ${where}: the ${w} or the ${t.other}?`]);
    case 'colour':
      return rng.pick([`What colour is the ${w} ${where}?`, `What color is the ${w}?`, `Which colour is the ${w} that appears ${where}?`]);
    case 'last': {
      const c = t.category ?? 'animal';
      return rng.pick([`Which ${c} appears last?`, `What ${c} comes last ${where}?`]);
    }
    case 'count': {
      const cs = plural(t.category ?? 'animal');
      return rng.pick([`How many ${cs} appear ${where}?`, `How many ${cs} come past ${where}?`]);
    }
    default:
      throw new Error(`no video question of kind ${kind}`);
  }
}

/** The category words of a label ("dog" → animal, pet…), for "which" questions. */
export function categoriesOf(label: CocoLabel): string[] {
  return Object.entries(CATEGORIES)
    .filter(([, ls]) => ls.includes(label))
    .map(([c]) => c);
}
