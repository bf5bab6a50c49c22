import { describe, expect, it } from 'vitest';
import { COCO_LABELS, parseQuery } from '../perception/vocabulary';
import { photoQuestion, plural, videoQuestion, wordsFor } from '../tasks/realQuestions';
import { Rng } from '../tasks/rng';
import { answerFromPlan, planCode, planImageQuestion, planVideoQuestion, type RealKind } from './realPlanner';

describe('the rule planner reads back every training wording', () => {
  const rng = new Rng(7);
  const photoKinds: RealKind[] = ['colour', 'count', 'which', 'yesno', 'text'];
  const videoKinds: RealKind[] = ['which', 'yesno', 'when', 'first', 'colour', 'last', 'count'];

  it('photo questions: the intended tool, and a phrase that is a verbatim part of the question naming the object', () => {
    for (let i = 0; i < 3000; i++) {
      const kind = rng.pick(photoKinds);
      const label = rng.pick(COCO_LABELS);
      const word = rng.pick(wordsFor(label));
      const category = rng.pick(['animal', 'vehicle', 'fruit', 'food', 'object']);
      const q = photoQuestion(kind, { word, category, ...(rng.chance(0.2) ? { colour: 'red' } : {}) }, rng);
      const plan = planImageQuestion(q);
      expect(plan, q).not.toBeNull();
      expect(plan!.kind, q).toBe(kind);
      if (kind === 'text') continue;
      expect(q.includes(plan!.phrase), q).toBe(true);
      const parsed = parseQuery(plan!.phrase);
      if (kind === 'which') expect(plan!.phrase, q).toBe(category);
      else expect(parsed.labels ?? [], `${q} → "${plan!.phrase}"`).toContain(label);
    }
  });

  it('video questions: the intended kind and a verbatim phrase', () => {
    for (let i = 0; i < 2000; i++) {
      const kind = rng.pick(videoKinds);
      const [a, b] = rng.shuffle(COCO_LABELS).slice(0, 2) as [string, string];
      const q = videoQuestion(kind, { word: a, other: b, category: rng.pick(['animal', 'vehicle']) }, rng);
      const plan = planVideoQuestion(q);
      expect(plan, q).not.toBeNull();
      expect(plan!.kind, q).toBe(kind);
      expect(plan!.tool).toBe('scan_video');
      expect(q.includes(plan!.phrase), q).toBe(true);
      if (kind === 'first') expect(parseQuery(plan!.phrase).labels, q).toEqual(expect.arrayContaining([a, b].map((w) => parseQuery(w).labels![0])));
    }
  });

  it('plurals and synonyms stay copyable words', () => {
    expect(plural('person')).toBe('people');
    expect(plural('scissors')).toBe('scissors');
    expect(plural('bus')).toBe('buses');
    expect(wordsFor('cup')).toEqual(expect.arrayContaining(['cup', 'mug']));
    expect(planCode({ kind: 'count', tool: 'count', phrase: 'birds' })).toBe('n = count(image_clue_0, "the birds")');
    expect(planCode({ kind: 'yesno', tool: 'scan_video', phrase: 'boats' })).toBe('events = scan_video(video_clue_0, "the boats")');
    expect(planCode({ kind: 'yesno', tool: 'find', phrase: 'a dog' })).toBe('hits = find(image_clue_0, "a dog")');
    expect(planCode({ kind: 'text', tool: 'read_text', phrase: '' })).toBe('text = read_text(image_clue_0)');
  });
});

describe('answers come from what the tools printed', () => {
  const obs = (t: string) => `<interpreter>Text Result:\n${t}</interpreter>`;
  it('copies the field that answers each kind, and says none/no when nothing was found', () => {
    const found = 'find "the cup": found=yes, 1 match in the 640x480 image\n  object=cup colour=white score=0.81 quadrant=top-left box=(1, 2, 3, 4)';
    expect(answerFromPlan({ kind: 'colour', tool: 'find', phrase: 'the cup' }, obs(found))!.answer).toBe('white');
    expect(answerFromPlan({ kind: 'which', tool: 'find', phrase: 'object' }, obs(found))!.answer).toBe('cup');
    expect(answerFromPlan({ kind: 'yesno', tool: 'find', phrase: 'a cup' }, obs(found))!.answer).toBe('yes');
    const none = 'find "a dog": found=no, 0 matches in the 10x10 image (closer look)\n  object=dog colour=green source=centre of the picture, not detected\n  seen instead: cat';
    expect(answerFromPlan({ kind: 'yesno', tool: 'find', phrase: 'a dog' }, obs(none))!.answer).toBe('no');
    expect(answerFromPlan({ kind: 'which', tool: 'find', phrase: 'animal' }, obs(none))!.answer).toBe('none');
    expect(answerFromPlan({ kind: 'colour', tool: 'find', phrase: 'the dog' }, obs(none))!.answer).toBe('green');
    expect(answerFromPlan({ kind: 'count', tool: 'count', phrase: 'dogs' }, obs('count "dogs": count=3 (detector)'))!.answer).toBe('3');
    expect(answerFromPlan({ kind: 'text', tool: 'read_text', phrase: '' }, obs('read_text: no text found in the image\n  text=none'))!.answer).toBe('none');
    expect(answerFromPlan({ kind: 'text', tool: 'read_text', phrase: '' }, obs('read_text: 1 line in the image\n  text=FRESH BREAD\n  line 1: confidence=96 box=(1, 2, 3, 4) FRESH BREAD'))!.answer).toBe('FRESH BREAD');
    const scan = 'scan_video "animal": found=yes, 100 frames at 25 fps (4.0 s), 12 sampled, 14 looked at; 2 events\n  first object=dog colour=brown part=beginning frames=0-30 (0.0s to 1.2s) score=0.80\n  second object=horse colour=white part=end frames=70-99 (2.8s to 4.0s) score=0.70';
    expect(answerFromPlan({ kind: 'which', tool: 'scan_video', phrase: 'animal' }, obs(scan))!.answer).toBe('dog');
    expect(answerFromPlan({ kind: 'last', tool: 'scan_video', phrase: 'animal' }, obs(scan))!.answer).toBe('horse');
    expect(answerFromPlan({ kind: 'when', tool: 'scan_video', phrase: 'the dog' }, obs(scan))!.answer).toBe('beginning');
    expect(answerFromPlan({ kind: 'count', tool: 'scan_video', phrase: 'animals' }, obs(scan))!.answer).toBe('2');
    expect(answerFromPlan({ kind: 'colour', tool: 'find', phrase: 'the cup' }, obs('Traceback …\nValueError: boom'))).toBeNull();
  });
});
