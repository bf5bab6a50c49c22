/** Counterfactual SFT copies: answer words renamed consistently in the text, images kept. */
import { describe, expect, it } from 'vitest';
import type { Pixels } from '../../runtime/types';
import { Rng } from '../../tasks/rng';
import { answerWordMap, counterfactualRecord, withCounterfactuals } from './augment';
import type { SftRecord } from './dataset';

const image: Pixels = { width: 2, height: 2, channels: 3, data: new Uint8Array(12) };
const text = (s: string) => ({ type: 'text' as const, text: s });

const search: SftRecord = {
  index: 0,
  suite: 'visual-search',
  taskId: 't',
  family: 'visual-search',
  difficulty: 'small',
  correct: true,
  endReason: 'DONE',
  toolCalls: 1,
  images: [image],
  messages: [
    { role: 'user', content: [{ type: 'image', image: 0 }, text('Question: What is the colour of the star in the image? Where are the stars?')] },
    { role: 'assistant', content: [text('Let me locate the star.\n<code>\n```python\nhits = find(image_clue_0, "the star")\n```\n</code>')] },
    { role: 'user', content: [text('<interpreter>Text Result:\n  colour=red shape=star quadrant=top-left centre=(3, 4)</interpreter>')] },
    { role: 'assistant', content: [text('find() printed colour=red for the first match.\n<answer>\n\\boxed{red}\n</answer>')] },
  ],
};

const counting: SftRecord = {
  ...search,
  suite: 'counting',
  family: 'counting',
  messages: [
    { role: 'user', content: [text('Question: How many red squares are there?')] },
    { role: 'assistant', content: [text('n = count(image_clue_0, "the red squares")')] },
    { role: 'user', content: [text('count "the red squares": count=7 (12 objects checked)')] },
    { role: 'assistant', content: [text('count() printed count=7.\n<answer>\n\\boxed{7}\n</answer>')] },
  ],
};

const all = (r: SftRecord) => r.messages.flatMap((m) => m.content.map((p) => (p.type === 'text' ? p.text : '<img>'))).join('\n');

describe('counterfactual SFT copies', () => {
  it('answerWordMap permutes within each class (colours to colours, plurals follow singulars)', () => {
    const m = answerWordMap(new Rng(3));
    expect(['red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple', 'pink']).toContain(m.get('red'));
    expect(m.get('stars')).toBe(`${m.get('star')}s`);
    expect(['top-left', 'top-right', 'bottom-left', 'bottom-right']).toContain(m.get('top-left'));
    expect(new Set([...['circle', 'square', 'triangle', 'star', 'diamond'].map((s) => m.get(s))]).size).toBe(5);
  });

  it('renames the question, the code, the printout and the answer alike; images and code identifiers stay', () => {
    const c = counterfactualRecord(search, new Rng(11));
    const m = answerWordMap(new Rng(11));
    const t = all(c);
    expect(t).toContain(`What is the colour of the ${m.get('star')} in the image? Where are the ${m.get('stars')}?`);
    expect(t).toContain(`find(image_clue_0, "the ${m.get('star')}")`);
    expect(t).toContain(`colour=${m.get('red')} shape=${m.get('star')} quadrant=${m.get('top-left')} centre=(3, 4)`);
    expect(t).toContain(`\\boxed{${m.get('red')}}`);
    expect(c.images[0]).toBe(image);
    expect(c.messages[0]!.content[0]).toEqual({ type: 'image', image: 0 });
    // The source record is not modified.
    expect(all(search)).toContain('\\boxed{red}');
  });

  it('gives a count a new value in the printout and the answer only', () => {
    const copies = withCounterfactuals([counting], 6, new Rng(2)).slice(1);
    const values = copies.map((c) => all(c).match(/count=(\d+) \(12 objects/)?.[1]);
    for (const [i, c] of copies.entries()) {
      expect(all(c)).toContain(`printed count=${values[i]}.`);
      expect(all(c)).toContain(`\\boxed{${values[i]}}`);
      expect(all(c)).toContain('image_clue_0');
    }
    expect(new Set(values).size).toBeGreaterThan(1);
  });

  it('withCounterfactuals keeps the originals first and is deterministic per rng seed', () => {
    const a = withCounterfactuals([search, counting], 2, new Rng(9));
    const b = withCounterfactuals([search, counting], 2, new Rng(9));
    expect(a).toHaveLength(6);
    expect(a[0]).toBe(search);
    expect(a.map(all)).toEqual(b.map(all));
    expect(withCounterfactuals([search], 0, new Rng(1))).toEqual([search]);
  });

  it('copies only records that called a tool (a direct answer has nothing to copy)', () => {
    const direct = { ...search, toolCalls: 0 };
    const out = withCounterfactuals([direct, counting], 3, new Rng(4));
    expect(out).toHaveLength(5);
    expect(out.slice(2).every((r) => r.taskId === counting.taskId)).toBe(true);
  });
});
