/**
 * The words the perception tools understand: the detector's 80 COCO classes with their plurals
 * and everyday synonyms, the categories questions use ("which animal", "which fruit"), colour
 * names and the generated tasks' shape names, and `parseQuery`, which turns a phrase copied from
 * a question ("the red cars", "a dog", "any animals", "the stars") into what to look for.
 *
 * One table serves the Python tools (through the `_pv_vision` module), the question generators
 * of the training data and the evaluation checker, so a word the tools accept is a word the
 * policy was trained on.
 */
import { COLOURS as TASK_COLOURS, SHAPES, type ShapeName } from '../tasks/palette';

/** COCO-80 class names in the detector's class-index order (CenterNet-MobileNetV3's labels). */
export const COCO_LABELS = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
] as const;
export type CocoLabel = (typeof COCO_LABELS)[number];

/** Plurals that are not label + "s". */
const IRREGULAR_PLURALS: Partial<Record<CocoLabel, string>> = {
  person: 'people', bus: 'buses', sheep: 'sheep', knife: 'knives', sandwich: 'sandwiches', 'hot dog': 'hot dogs',
  couch: 'couches', 'dining table': 'dining tables', 'wine glass': 'wine glasses', 'cell phone': 'cell phones',
  skis: 'skis', mouse: 'mice', 'potted plant': 'potted plants', toothbrush: 'toothbrushes', 'hair drier': 'hair driers',
  'teddy bear': 'teddy bears', 'sports ball': 'balls', broccoli: 'broccoli', 'traffic light': 'traffic lights',
  scissors: 'scissors',
};

export function pluralOf(label: CocoLabel): string {
  return IRREGULAR_PLURALS[label] ?? `${label}s`;
}

/** Everyday words (singular and plural) for each class. */
export const SYNONYMS: Record<string, CocoLabel> = {
  man: 'person', woman: 'person', men: 'person', women: 'person', child: 'person', children: 'person', kid: 'person',
  kids: 'person', boy: 'person', girl: 'person', boys: 'person', girls: 'person', persons: 'person', human: 'person',
  humans: 'person', people: 'person', baby: 'person', player: 'person', players: 'person', soldier: 'person',
  soldiers: 'person', guard: 'person', guards: 'person', officer: 'person', officers: 'person', worker: 'person', workers: 'person',
  rider: 'person', riders: 'person', skier: 'person', skiers: 'person', surfer: 'person', surfers: 'person', adult: 'person', adults: 'person',
  bike: 'bicycle', bikes: 'bicycle', cycle: 'bicycle', automobile: 'car', automobiles: 'car', taxi: 'car', cars: 'car',
  motorbike: 'motorcycle', motorbikes: 'motorcycle', scooter: 'motorcycle', plane: 'airplane', planes: 'airplane',
  aeroplane: 'airplane', aeroplanes: 'airplane', aircraft: 'airplane', jet: 'airplane', coach: 'bus', lorry: 'truck',
  lorries: 'truck', van: 'truck', ship: 'boat', ships: 'boat', sailboat: 'boat', canoe: 'boat', yacht: 'boat',
  locomotive: 'train', tram: 'train', hydrant: 'fire hydrant', kitten: 'cat', kittens: 'cat', kitty: 'cat',
  puppy: 'dog', puppies: 'dog', pony: 'horse', ponies: 'horse', lamb: 'sheep', lambs: 'sheep', cattle: 'cow',
  bull: 'cow', calf: 'cow', cows: 'cow', duck: 'bird', ducks: 'bird', gull: 'bird', gulls: 'bird', pigeon: 'bird',
  pigeons: 'bird', parrot: 'bird', parrots: 'bird', chicken: 'bird', hen: 'bird', swan: 'bird', goose: 'bird',
  geese: 'bird', bag: 'handbag', purse: 'handbag', rucksack: 'backpack', luggage: 'suitcase', ball: 'sports ball',
  football: 'sports ball', soccer: 'sports ball', racket: 'tennis racket', racquet: 'tennis racket',
  mug: 'cup', mugs: 'cup', teacup: 'cup', glass: 'wine glass', glasses: 'wine glass', wineglass: 'wine glass',
  doughnut: 'donut', doughnuts: 'donut', sofa: 'couch', sofas: 'couch', table: 'dining table', tables: 'dining table',
  desk: 'dining table', plant: 'potted plant', plants: 'potted plant', houseplant: 'potted plant', pot: 'potted plant',
  television: 'tv', televisions: 'tv', monitor: 'tv', screen: 'tv', tvs: 'tv', computer: 'laptop', notebook: 'laptop',
  phone: 'cell phone', phones: 'cell phone', smartphone: 'cell phone', mobile: 'cell phone', fridge: 'refrigerator',
  books: 'book', clocks: 'clock', vases: 'vase', teddy: 'teddy bear', toy: 'teddy bear', apples: 'apple',
  bananas: 'banana', oranges: 'orange', carrots: 'carrot', pizzas: 'pizza', cakes: 'cake', chairs: 'chair',
  bottles: 'bottle', cups: 'cup', bowls: 'bowl', dogs: 'dog', cats: 'cat', horses: 'horse', birds: 'bird',
};

/** Category words: "which animal", "which vehicles", "what fruit" (singular and plural). */
export const CATEGORIES: Record<string, readonly CocoLabel[]> = {
  animal: ['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe'],
  vehicle: ['bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat'],
  fruit: ['banana', 'apple', 'orange'],
  food: ['banana', 'apple', 'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake'],
  vegetable: ['broccoli', 'carrot'],
  furniture: ['chair', 'couch', 'bed', 'dining table', 'bench'],
  drink: ['bottle', 'wine glass', 'cup'],
  container: ['bottle', 'cup', 'bowl', 'vase', 'wine glass'],
  electronics: ['tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone'],
  appliance: ['microwave', 'oven', 'toaster', 'sink', 'refrigerator'],
  utensil: ['fork', 'knife', 'spoon'],
  sport: ['frisbee', 'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket'],
};
const CATEGORY_WORDS: Record<string, string> = {
  animals: 'animal', pet: 'animal', pets: 'animal', creature: 'animal', creatures: 'animal', vehicles: 'vehicle',
  fruits: 'fruit', foods: 'food', vegetables: 'vegetable', veggie: 'vegetable', drinks: 'drink', containers: 'container',
  device: 'electronics', devices: 'electronics', gadget: 'electronics', appliances: 'appliance', utensils: 'utensil',
  cutlery: 'utensil', transport: 'vehicle', 'means of transport': 'vehicle',
};
/**
 * Animals, vehicles and fruit the detector has no class for. Asked for by name ("How many camels
 * are there?", "Is there a pig?"), the tools look for any thing of the category instead and say
 * so: the detector usually calls such an animal by its nearest class (a camel "horse", a pig
 * "sheep"), so counting and finding still work, and the printout names what it saw.
 */
const NEAREST_CATEGORY: Record<string, string> = Object.fromEntries([
  ...['camel', 'meerkat', 'raccoon', 'deer', 'goat', 'pig', 'hog', 'lion', 'tiger', 'monkey', 'fox', 'wolf', 'rabbit',
    'squirrel', 'kangaroo', 'donkey', 'llama', 'alpaca', 'panda', 'leopard', 'cheetah', 'rhino', 'hippo', 'buffalo',
    'ox', 'yak', 'moose', 'elk', 'antelope', 'otter', 'beaver', 'hedgehog', 'hamster', 'ferret', 'seal'].map((w) => [w, 'animal']),
  ...['penguin', 'flamingo', 'owl', 'eagle', 'hawk', 'crow', 'sparrow', 'spoonbill', 'heron', 'stork', 'crane', 'pelican',
    'turkey', 'rooster', 'ostrich', 'peacock', 'macaw'].map((w) => [w, 'bird']),
  ...['tractor', 'jeep', 'helicopter', 'ambulance', 'minibus'].map((w) => [w, 'vehicle']),
  ...['lemon', 'lime', 'pear', 'peach', 'plum', 'fig', 'grape', 'mango', 'kiwi', 'cherry', 'strawberry', 'tangerine', 'mandarin', 'grapefruit'].map((w) => [w, 'fruit']),
]);
/** Plurals that are not the singular plus "s". */
const NEAREST_PLURAL: Record<string, string> = { oxen: 'ox', cherries: 'cherry', strawberries: 'strawberry', peaches: 'peach', mangoes: 'mango', foxes: 'fox', buffaloes: 'buffalo' };

/** The category to look in for a noun the detector has no class for ("camels" → animal), or null. */
export function nearestCategory(word: string): string | null {
  const w = word.toLowerCase();
  const singular = NEAREST_PLURAL[w] ?? (NEAREST_CATEGORY[w] ? w : w.replace(/s$/, ''));
  return NEAREST_CATEGORY[singular] ?? null;
}

/**
 * Generic nouns. Alone they mean "anything the detector knows" ("What objects are there?");
 * with a colour or a shape ("the red object", "the blue shapes") they only carry the colour or
 * shape, which is how the generated tasks ask.
 */
const ANY_WORDS = new Set(['object', 'objects', 'thing', 'things', 'item', 'items', 'everything', 'anything', 'something', 'stuff', 'shape', 'shapes']);

/**
 * Colour words. The generated tasks' eight palette names come first (the tools name those
 * colours exactly as the tasks do); the rest are the basic colour terms real objects need.
 */
export const COLOUR_NAMES = [...TASK_COLOURS, 'brown', 'black', 'white', 'grey'] as const;
export type ColourWord = (typeof COLOUR_NAMES)[number];
const COLOUR_ALIASES: Record<string, ColourWord> = {
  gray: 'grey', silver: 'grey', violet: 'purple', magenta: 'pink', turquoise: 'cyan', teal: 'cyan', gold: 'yellow',
  golden: 'yellow', crimson: 'red', scarlet: 'red', navy: 'blue', beige: 'white', tan: 'brown',
};

export interface ParsedQuery {
  /** Detector classes asked for; null when the phrase names none (colour/shape only, or unknown). */
  labels: CocoLabel[] | null;
  /** The category word when one was used ("animal"), else null. */
  category: string | null;
  /** True for "objects", "things": every class. */
  any: boolean;
  colour: ColourWord | null;
  shape: ShapeName | null;
  /** Nouns the vocabulary does not know ("candies"): counted by colour when a colour is named. */
  unknown: string[];
  /** True when `labels` are a stand-in category for an unknown noun ("camels" → any animal). */
  nearest?: boolean;
}

const STOP_WORDS = new Set([
  'the', 'a', 'an', 'any', 'some', 'all', 'of', 'in', 'on', 'at', 'this', 'that', 'these', 'those', 'there', 'is',
  'are', 'picture', 'image', 'photo', 'video', 'clip', 'frame', 'many', 'how', 'what', 'which', 'one', 'ones', 'kind',
  'type', 'colour', 'color', 'coloured', 'colored', 'big', 'small', 'large', 'little', 'and', 'or', 'with', 'for',
]);

const LABEL_SET = new Set<string>(COCO_LABELS);
const SHAPE_SET = new Set<string>(SHAPES);
const SINGULAR_BY_PLURAL = new Map<string, CocoLabel>(COCO_LABELS.map((l) => [pluralOf(l), l]));

/** A label, synonym or plural for a word or two-word phrase; null when unknown. */
export function labelOf(phrase: string): CocoLabel | null {
  const p = phrase.toLowerCase().trim();
  if (LABEL_SET.has(p)) return p as CocoLabel;
  const direct = SINGULAR_BY_PLURAL.get(p) ?? SYNONYMS[p];
  if (direct) return direct;
  // Plurals of synonyms ("desks", "puppies", "lorries").
  for (const singular of [p.replace(/ies$/, 'y'), p.replace(/ves$/, 'f'), p.replace(/ves$/, 'fe'), p.replace(/es$/, ''), p.replace(/s$/, '')]) {
    if (singular !== p && (LABEL_SET.has(singular) || SYNONYMS[singular])) return LABEL_SET.has(singular) ? (singular as CocoLabel) : SYNONYMS[singular]!;
  }
  return null;
}

/**
 * What a phrase asks for. Two-word labels ("wine glass", "teddy bear") win over their parts;
 * a shape word ("stars") or a colour word ("red") is kept for the generated tasks' tools.
 */
export function parseQuery(query: string): ParsedQuery {
  const words = query.toLowerCase().match(/[a-z]+/g) ?? [];
  const out: ParsedQuery = { labels: null, category: null, any: false, colour: null, shape: null, unknown: [] };
  const labels: CocoLabel[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const two = i + 1 < words.length ? `${w} ${words[i + 1]}` : '';
    const twoLabel = two ? labelOf(two) : null;
    if (twoLabel) {
      labels.push(twoLabel);
      i++;
      continue;
    }
    if (two && CATEGORY_WORDS[two]) {
      out.category = CATEGORY_WORDS[two]!;
      i++;
      continue;
    }
    // "the orange" (or "the orange or the pear") is the fruit; "the orange car" names a colour.
    const fruit = w === 'orange' && !out.colour && (i === words.length - 1 || ['or', 'and'].includes(words[i + 1]!));
    const colour = fruit ? undefined : (COLOUR_NAMES as readonly string[]).includes(w) ? (w as ColourWord) : COLOUR_ALIASES[w];
    if (colour && !out.colour) {
      out.colour = colour;
      continue;
    }
    const shape = SHAPE_SET.has(w) ? w : SHAPE_SET.has(w.replace(/s$/, '')) ? w.replace(/s$/, '') : null;
    if (shape) {
      out.shape = shape as ShapeName;
      continue;
    }
    const label = labelOf(w);
    if (label) {
      labels.push(label);
      continue;
    }
    const category = CATEGORIES[w] ? w : CATEGORY_WORDS[w];
    if (category) {
      out.category = category;
      continue;
    }
    if (ANY_WORDS.has(w)) {
      out.any = true;
      continue;
    }
    if (!STOP_WORDS.has(w) && w.length > 1) out.unknown.push(w);
  }
  const nearest = out.unknown.map(nearestCategory).find((c) => c !== null) ?? null;
  if (labels.length) out.labels = [...new Set(labels)];
  else if (out.category) out.labels = [...CATEGORIES[out.category]!];
  else if (nearest) {
    out.category = nearest;
    out.nearest = true;
    out.labels = nearest === 'bird' ? ['bird'] : [...CATEGORIES[nearest]!];
  } else if (out.any && !out.colour && !out.shape) out.labels = [...COCO_LABELS];
  return out;
}

/** Normalised colour word ("gray" → "grey"), or null. */
export function colourWord(word: string): ColourWord | null {
  const w = word.toLowerCase().trim();
  return (COLOUR_NAMES as readonly string[]).includes(w) ? (w as ColourWord) : (COLOUR_ALIASES[w] ?? null);
}
