/**
 * The real-media cold-start data: tasks are deterministic and ask what the planner can read,
 * and a counterfactual copy renames object words, colours and read text consistently across the
 * question, the call, the printout and the answer (the copy-teaching augmentation).
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../agent/types';
import { planImageQuestion, planVideoQuestion } from '../../policies/realPlanner';
import type { Pixels } from '../../runtime/types';
import { Rng } from '../../tasks/rng';
import { TRAINING_LOOP } from '../../agent/types';
import { realCounterfactualRecord } from './augment';
import type { SftRecord } from './dataset';
import { realTask, type RealDataOptions, type RealMediaLibrary } from './realData';

function solid(w: number, h: number, rgba: number[]): Pixels {
  const data = new Uint8Array(w * h * rgba.length);
  for (let i = 0; i < w * h; i++) data.set(rgba, i * rgba.length);
  return { width: w, height: h, channels: rgba.length as 3 | 4, data };
}

/** A small in-memory library: two photos, three cut-outs (COCO and not), one sign. */
const lib: RealMediaLibrary = {
  entries: [
    { id: 'field', kind: 'photo', objects: [{ name: 'grass', count: null, colour: 'green' }] },
    { id: 'street', kind: 'photo', objects: [{ name: 'building', count: 1, colour: 'grey' }] },
    { id: 'dog', kind: 'cutout', objects: [{ name: 'dog', count: 1, colour: 'brown' }] },
    { id: 'bus', kind: 'cutout', objects: [{ name: 'bus', count: 1, colour: 'red' }] },
    { id: 'frog', kind: 'cutout', objects: [{ name: 'frog', count: 1, colour: 'green' }] },
  ],
  signs: [{ id: 'sign', text: 'OPEN' }],
  async load(id) {
    return id === 'dog' || id === 'bus' || id === 'frog' ? solid(40, 30, [200, 80, 40, 255]) : solid(320, 200, [90, 140, 60]);
  },
};
const opts: RealDataOptions = { photoTasks: 40, videoTasks: 20, seed: 3, imageSide: 64, loop: TRAINING_LOOP, expert: { strategy: 'toolkit', skipToolsProb: 0, slipProb: 0, guessProb: 0 } };
const detect = async () => ['dog' as const];

describe('real-media training tasks', () => {
  it('are deterministic, and every question is one the planner reads', async () => {
    for (let i = 0; i < opts.photoTasks + opts.videoTasks; i++) {
      const a = await realTask(opts, lib, i, detect);
      const b = await realTask(opts, lib, i, detect);
      expect(b.task.question).toBe(a.task.question);
      expect(a.task.family).toBe('user');
      if (i < opts.photoTasks) {
        expect(a.suite).toBe('real-photo');
        expect(planImageQuestion(a.task.question), a.task.question).not.toBeNull();
      } else {
        expect(a.suite).toBe('real-video');
        expect(a.task.media.kind).toBe('video');
        expect(planVideoQuestion(a.task.question), a.task.question).not.toBeNull();
      }
    }
  });

  it('video clips draw their cut-outs only inside their time windows', async () => {
    const { task } = await realTask(opts, lib, opts.photoTasks, detect);
    if (task.media.kind !== 'video') throw new Error('expected a clip');
    const clip = task.media.video as unknown as { actors: Array<{ frames: [number, number] }>; getFrame(i: number): Promise<Pixels> };
    const n = task.media.video.meta.frameCount;
    const inside = (i: number) => clip.actors.some(({ frames: [a, b] }) => i >= a && i <= b);
    const empty = Array.from({ length: n }, (_, i) => i).filter((i) => !inside(i));
    expect(empty.length).toBeGreaterThan(1);
    const [a, b] = clip.actors[0]!.frames;
    const background = await clip.getFrame(empty[0]!);
    expect((await clip.getFrame(empty[empty.length - 1]!)).data).toEqual(background.data);
    expect((await clip.getFrame(Math.floor((a + b) / 2))).data).not.toEqual(background.data);
  });
});

describe('counterfactual copies of real-media records', () => {
  const record = (texts: Array<[Message['role'], string]>): SftRecord => ({
    index: 0,
    suite: 'real-photo',
    taskId: 't',
    family: 'user',
    difficulty: null,
    correct: true,
    endReason: 'DONE',
    toolCalls: 1,
    images: [],
    messages: texts.map(([role, text]) => ({ role, content: [{ type: 'text', text }] })),
  });

  it('rename the object, its plural and its colour everywhere, consistently', () => {
    const r = record([
      ['user', 'Question: What colour are the dogs?'],
      ['assistant', 'Let me find the dogs with code.\n<code>\n```python\nhits = find(image_clue_0, "the dogs")\n```\n</code>'],
      ['user', '<interpreter>Text Result:\nfind "the dogs": found=yes, 1 match in the 10x10 image\n  object=dog colour=brown score=0.50 quadrant=top-left box=(1, 2, 3, 4)</interpreter>'],
      ['assistant', 'find() printed colour=brown for the first match.\n<answer>\n\\boxed{brown}\n</answer>'],
    ]);
    const rng = new Rng(5);
    for (let k = 0; k < 20; k++) {
      const c = realCounterfactualRecord(r, rng);
      const text = c.messages.map((m) => (m.content[0] as { text: string }).text);
      const animal = text[2]!.match(/object=(\w+)/)![1]!;
      const colour = text[3]!.match(/\\boxed\{(\w+)\}/)![1]!;
      expect(text[2]).toContain(`colour=${colour} `);
      expect(text[0]).toMatch(new RegExp(`the ${animal}s?\\?|the \\w+\\?`));
      expect(text[1]!.match(/find\(image_clue_0, "the (\w+)"\)/)![1]).toBe(text[0]!.match(/are the (\w+)\?/)![1]);
      expect(['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe']).toContain(animal);
    }
  });

  it('replace read text, and flip a yes/no answer together with its found= field', () => {
    const ocr = record([
      ['user', 'Question: What does the sign say?'],
      ['assistant', 'Let me read it.\n<code>\n```python\ntext = read_text(image_clue_0)\n```\n</code>'],
      ['user', '<interpreter>Text Result:\nread_text: 1 line in the image\n  text=FRESH BREAD\n  line 1: confidence=96 box=(1, 2, 3, 4) FRESH BREAD</interpreter>'],
      ['assistant', 'read_text() printed text=FRESH BREAD.\n<answer>\n\\boxed{FRESH BREAD}\n</answer>'],
    ]);
    const c = realCounterfactualRecord(ocr, new Rng(1));
    const all = c.messages.map((m) => (m.content[0] as { text: string }).text).join('\n');
    expect(all).not.toContain('FRESH BREAD');
    const now = all.match(/ {2}text=(.+)/)![1]!;
    expect(all).toContain(`\\boxed{${now}}`);
    const yes = record([
      ['user', '<interpreter>Text Result:\nfind "a dog": found=yes, 1 match</interpreter>'],
      ['assistant', 'find() printed found=yes for a dog.\n<answer>\n\\boxed{yes}\n</answer>'],
    ]);
    const flips = Array.from({ length: 30 }, (_, k) => realCounterfactualRecord(yes, new Rng(k)).messages.map((m) => (m.content[0] as { text: string }).text).join('\n'));
    expect(flips.some((t) => t.includes('found=no') && t.includes('\\boxed{no}'))).toBe(true);
    expect(flips.every((t) => (t.includes('found=no') ? t.includes('\\boxed{no}') : t.includes('\\boxed{yes}')))).toBe(true);
  });
});
