/**
 * Open questions about real photos and videos → one tool call, by rules: the scripted expert's
 * plan for real media (the cold start's teacher) and the rule-based baseline on the real
 * evaluation set (how far the tools alone get, with no learned planning).
 *
 * The phrase handed to the tool is always a verbatim piece of the question ("the cup", "birds",
 * "a dog", "animal", "the dog or the horse"): a policy trained on these plans learns to COPY
 * words from the question into the call, which is what lets a small model handle any of the 80
 * class names, plurals and synonyms it may meet.
 */

export type RealKind = 'colour' | 'count' | 'which' | 'yesno' | 'text' | 'when' | 'first' | 'last';
export type RealTool = 'find' | 'count' | 'read_text' | 'scan_video';

export interface RealPlan {
  kind: RealKind;
  tool: RealTool;
  /** The words passed to the tool ('' for read_text). */
  phrase: string;
}

const ARTICLE = '(?:the|a|an|any|this|that|these|those|some)';
/** Words that end a noun phrase ("the cup IN the picture", "a dog APPEAR"). */
const STOPS = 'in|on|at|of|shown|visible|there|here|have|has|got|look|appear|appears|appearing|show|shows|come|comes|walk|walks|move|moves|wearing|sitting|standing|lying|near|next|under|behind|from|with|which|that|do|does|is|are|you|the|a|an';
const TAIL = `(?=\\s+(?:${STOPS})\\b|\\s*[?.!,:]|\\s*$)`;
const NOUN = `([A-Za-z][A-Za-z-]*(?:\\s+(?!(?:${STOPS})\\b)[A-Za-z][A-Za-z-]*){0,2})`;
const CATEGORY = '(animal|animals|vehicle|vehicles|fruit|fruits|food|vegetable|object|objects|thing|things|item|items|bird|drink|furniture|pet|creature)';

const clean = (q: string) => q.trim().replace(/\s+/g, ' ');

function match(q: string, re: RegExp): RegExpMatchArray | null {
  return q.match(re);
}

/** "the cup" / "a red car": an article and up to three words, as they stand in the question. */
function nounPhrase(q: string, from = 0): string | null {
  const m = q.slice(from).match(new RegExp(`\\b(${ARTICLE}\\s+${NOUN})${TAIL}`, 'i'));
  return m ? m[1]! : null;
}

/** A plan for an image question, or null when no rule applies. */
export function planImageQuestion(question: string): RealPlan | null {
  const q = clean(question);
  const lower = q.toLowerCase();
  // Text: "What does the sign say?", "What is written on …", "Read the text", "Which letters …".
  if (/\b(say|says|written|writing|text|read|inscription|letters|label|sign say|number (?:is )?(?:on|written|shown)|display show)\b/.test(lower)) {
    return { kind: 'text', tool: 'read_text', phrase: '' };
  }
  // Count: "How many birds are there?", "Count the cars."
  let m = match(q, /\bhow many\s+([A-Za-z][A-Za-z -]*?)(?=\s+(?:are|is|can|do|does|were|there|in|on|at|you)\b|\s*[?.!]|$)/i);
  if (m) return { kind: 'count', tool: 'count', phrase: m[1]!.trim() };
  m = match(q, new RegExp(`\\bcount\\s+(${ARTICLE}\\s+${NOUN}|${NOUN})${TAIL}`, 'i'));
  if (m) return { kind: 'count', tool: 'count', phrase: m[1]!.trim() };
  // Colour: "What colour is the cup?", "Which color are the dogs?", "the colour of the bus".
  const colourAt = lower.search(/\bcolou?rs?\b/);
  if (colourAt >= 0) {
    const np = nounPhrase(q, colourAt) ?? nounPhrase(q);
    if (np) return { kind: 'colour', tool: 'find', phrase: np };
  }
  // Which: "Which animal is in the picture?", "What kind of vehicle is shown?", "What fruit is this?"
  m = match(q, new RegExp(`\\b(?:which|what)\\s+(?:kind of\\s+|type of\\s+|sort of\\s+)?${CATEGORY}\\b`, 'i'));
  if (m) return { kind: 'which', tool: 'find', phrase: m[1]! };
  m = match(q, new RegExp(`\\bwhat\\s+is\\s+the\\s+${CATEGORY}\\b`, 'i'));
  if (m) return { kind: 'which', tool: 'find', phrase: m[1]! };
  // Yes/no: "Is there a dog …?", "Are there any cats …?", "Can you see a car?", "Does the picture show a bird?"
  m = match(q, new RegExp(`^(?:is there|are there|is this|can you see|do you see|does (?:the|this) (?:picture|image|photo) (?:show|contain|have)|does it show|is anyone|is there anyone)\\s+(${ARTICLE}\\s+${NOUN}|${NOUN})${TAIL}`, 'i'));
  if (m) return { kind: 'yesno', tool: 'find', phrase: m[1]!.trim() };
  return null;
}

/** A plan for a video question, or null. */
export function planVideoQuestion(question: string): RealPlan | null {
  const q = clean(question);
  const lower = q.toLowerCase();
  // Count: "How many animals appear in the video?" (events printed by the scan).
  let c = match(q, /\bhow many\s+([A-Za-z][A-Za-z -]*?)(?=\s+(?:are|is|can|do|does|appear|walk|come|show|there|in|you)\b|\s*[?.!]|$)/i);
  if (c) return { kind: 'count', tool: 'scan_video', phrase: c[1]!.trim() };
  // Colour: "What colour is the bus?"
  const colourAt = lower.search(/\bcolou?rs?\b/);
  if (colourAt >= 0) {
    const np = nounPhrase(q, colourAt);
    if (np) return { kind: 'colour', tool: 'scan_video', phrase: np };
  }
  // Last: "Which animal appears last?"
  c = match(q, new RegExp(`\\b(?:which|what)\\s+${CATEGORY}\\b.*\\b(?:last|at the end|final)\\b`, 'i'));
  if (c) return { kind: 'last', tool: 'scan_video', phrase: c[1]! };
  // First: "What appears first, the dog or the horse?", "Which comes first: a car or a bus?"
  let m = match(q, new RegExp(`\\b(?:first|earlier|before)\\b.*?((?:${ARTICLE}\\s+)?[A-Za-z]+(?:\\s[A-Za-z]+)?\\s+or\\s+(?:${ARTICLE}\\s+)?[A-Za-z]+(?:\\s[A-Za-z]+)?)\\s*[?.!]?$`, 'i'));
  if (m) return { kind: 'first', tool: 'scan_video', phrase: m[1]!.trim() };
  // When: "When does the cat appear?", "In which part of the video is the giraffe?"
  m = match(q, new RegExp(`^(?:when|at what point|in which part of the (?:video|clip))\\b.*?(${ARTICLE}\\s+${NOUN})${TAIL}`, 'i'));
  if (m && !/^(the video|the clip)$/i.test(m[1]!)) return { kind: 'when', tool: 'scan_video', phrase: m[1]! };
  // Which: "Which animal appears in the video?", "What vehicle drives past?"
  m = match(q, new RegExp(`\\b(?:which|what)\\s+(?:kind of\\s+|type of\\s+)?${CATEGORY}\\b`, 'i'));
  if (m) return { kind: 'which', tool: 'scan_video', phrase: m[1]! };
  // Yes/no: "Does a car appear in the video?", "Is there a dog in the video?", "Do you see any birds?"
  m = match(q, new RegExp(`^(?:does|do|is there|are there|can you see|do you see|is)\\s+(${ARTICLE}\\s+${NOUN}|${NOUN})${TAIL}`, 'i'));
  if (m && !/^(the video|the clip|this video)$/i.test(m[1]!)) return { kind: 'yesno', tool: 'scan_video', phrase: m[1]!.trim() };
  return null;
}

const LEADING_ARTICLE = new RegExp(`^${ARTICLE}\\s`, 'i');

/**
 * The phrase as written inside the call's quotes. A phrase that starts without an article gets
 * "the " in front ("dogs" → "the dogs"): in the question the noun is a word-piece WITH its leading
 * space (" dogs"), and after `"the` the model copies exactly that piece; right after the opening
 * quote it would have to spell the word without the space itself, and the tiny policy slipped
 * there (`count(img, "gs")`, measured on the real suite). The tools ignore articles.
 */
export function callPhrase(phrase: string): string {
  return !phrase || LEADING_ARTICLE.test(phrase) ? phrase : `the ${phrase}`;
}

/** The one line of code that carries out a plan. */
export function planCode(plan: RealPlan): string {
  const phrase = callPhrase(plan.phrase);
  switch (plan.tool) {
    case 'find':
      return `hits = find(image_clue_0, "${phrase}")`;
    case 'count':
      return `n = count(image_clue_0, "${phrase}")`;
    case 'read_text':
      return 'text = read_text(image_clue_0)';
    case 'scan_video':
      return `events = scan_video(video_clue_0, "${phrase}")`;
  }
}

/** A line of reasoning before the call (a few wordings, picked by `pick`). */
export function planReasoning(plan: RealPlan, pick: <T>(xs: readonly T[]) => T): string {
  const p = plan.phrase;
  switch (plan.kind) {
    case 'colour':
      if (plan.tool === 'scan_video') return pick([`I'll scan the video for ${p} with scan_video(); it prints the colour of what it finds.`]);
      return pick([`I'll locate ${p} with find() and read its colour.`, `Let me find ${p} with code; find() prints its colour.`]);
    case 'count':
      if (plan.tool === 'scan_video') return pick([`I'll scan the video for ${p} with scan_video() and count the events.`]);
      return pick([`Counting by eye is unreliable, so I'll count ${p} with count().`, `Let me count ${p} with code.`]);
    case 'which':
      if (plan.tool === 'scan_video') return pick([`I can only see the frames I fetch. I'll scan the video for any ${p} with scan_video().`, `Let me scan the video with scan_video(); it prints which ${p} shows up.`]);
      return pick([`I'll look for any ${p} with find() and read which one it is.`, `Let me find the ${p} with find(); it prints what the object is.`]);
    case 'yesno':
      if (plan.tool === 'scan_video') return pick([`I'll scan the video with scan_video() to see whether ${p} appears.`, `Let me scan the video for ${p}.`]);
      return pick([`I'll check with find() whether there is ${p}.`, `Let me search for ${p} with code.`]);
    case 'text':
      return pick([`I'll read the text with read_text().`, `Let me run OCR on the image with read_text().`]);
    case 'when':
      return pick([`I can only see the frames I fetch. I'll scan the video for ${p} with scan_video().`, `Let me scan the video for ${p} and see when it shows up.`]);
    case 'first':
      // The phrase follows "first, " as in most questions: copying "the A or the B" after a
      // bare "of"/"for", the tiny policy once took the second " the" and scanned only "the B".
      return pick([`I'll scan the video with scan_video() and see which comes first, ${p}.`, `Which comes first, ${p}? I'll scan the video; events are printed in order.`]);
    case 'last':
      return pick([`I'll scan the video for every ${p}; events are printed in order, so the last line is the last one.`]);
  }
}

/** `key=value` fields of a printed line (values run to the next ` key=` or the line's end). */
function fieldsOf(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=(\([^)]*\)|\S+(?: (?!\w+=)\S+)*)/g)) out[m[1]!] = m[2]!.replace(/,$/, '');
  return out;
}

/**
 * The answer a plan's printout gives, with a line that quotes the field it copies; null when the
 * printout has none of the expected fields (the call failed).
 */
export function answerFromPlan(plan: RealPlan, observation: string): { answer: string; text: string } | null {
  // The observation's own tags sit on the printout's first and last lines.
  const lines = observation.replace(/<\/?interpreter>/g, '\n').split('\n');
  const header = lines.find((l) => /^(?:find|count|read_text|scan_video)\b/.test(l));
  const found = header?.match(/found=(yes|no|unknown)/)?.[1];
  const first = lines.find((l) => /^ {2}(?:[a-z]+ )?(?:object|colour|text|line)=/.test(l));
  const f = first ? fieldsOf(first) : {};
  const tool = `${plan.tool}()`;
  switch (plan.kind) {
    case 'count': {
      if (plan.tool === 'scan_video') {
        const events = header?.match(/; (\d+) events?/)?.[1];
        return events === undefined ? null : { answer: events, text: `${tool} printed ${events} event${events === '1' ? '' : 's'}.` };
      }
      const n = observation.match(/count=(\d+)/)?.[1];
      return n === undefined ? null : { answer: n, text: `${tool} printed count=${n}.` };
    }
    case 'text': {
      const t = lines.find((l) => l.startsWith('  text='))?.slice('  text='.length).trim();
      return t ? { answer: t, text: `${tool} printed text=${t}.` } : null;
    }
    case 'yesno':
      if (!found) return null;
      return { answer: found, text: `${tool} printed found=${found} for ${plan.phrase}.` };
    case 'colour':
      // Not detected: find() still prints the colour of the picture's centre (the likely subject).
      if (f.colour) return { answer: f.colour, text: found === 'yes' ? `${tool} printed colour=${f.colour} for the first match.` : `${tool} did not detect it but printed colour=${f.colour} for the centre of the picture.` };
      return found === 'no' ? { answer: 'none', text: `${tool} printed found=no.` } : null;
    case 'which':
    case 'first':
      if (found === 'no') return { answer: 'none', text: `${tool} printed found=no: ${plan.kind === 'first' ? 'neither of them' : `no ${plan.phrase}`} was seen.` };
      return f.object ? { answer: f.object, text: `${tool} printed the first object=${f.object}.` } : null;
    case 'last': {
      if (found === 'no') return { answer: 'none', text: `${tool} printed found=no: no ${plan.phrase} was seen.` };
      const events = lines.filter((l) => /^ {2}[a-z]+ object=/.test(l));
      const last = events.length ? fieldsOf(events[events.length - 1]!).object : undefined;
      return last ? { answer: last, text: `The last event line has object=${last}.` } : null;
    }
    case 'when':
      if (found === 'no') return { answer: 'none', text: `${tool} printed found=no: ${plan.phrase} never appears.` };
      return f.part ? { answer: f.part, text: `${tool} printed part=${f.part} for the first sighting.` } : null;
  }
}
