import { describe, expect, it } from 'vitest';
import type { Trajectory, TurnRecord } from '../../src/agent/types';
import { outOfDepth } from './outOfDepth';

const turn = (output: string | null, answer: string | null, index = 0): TurnRecord => ({
  index,
  text: '',
  code: output === null ? null : 'x = 1',
  answer,
  parseError: null,
  observation: output === null ? null : { text: output, output, error: null, images: [], outputTruncated: false, figuresDropped: 0 },
  tokens: { count: 1, visual: 0 },
  timings: { generateMs: 0, executeMs: 0 },
});

const traj = (turns: TurnRecord[], family: 'user' | 'counting' = 'user'): Trajectory =>
  ({ task: { family }, endReason: 'DONE', turns }) as unknown as Trajectory;

describe('outOfDepth', () => {
  it('flags empty tool results on the user’s media, and says which', () => {
    expect(outOfDepth(traj([turn('find "a dog": found=no, 0 matches', null), turn(null, 'no', 1)]))?.why).toMatch(/found nothing/);
    expect(outOfDepth(traj([turn('find "the pig": found=unknown, the detector has no class', null), turn(null, 'pink', 1)]))?.why).toMatch(/no class/);
    expect(outOfDepth(traj([turn('read_text: no text found\n  text=none', null), turn(null, 'none', 1)]))?.why).toMatch(/OCR/);
  });

  it('stays quiet when the tools answered, and on generated tasks', () => {
    expect(outOfDepth(traj([turn('find "a dog": found=yes, 1 match', null), turn(null, 'yes', 1)]))).toBeNull();
    expect(outOfDepth(traj([turn('count "dogs": count=2', null), turn(null, '2', 1)]))).toBeNull();
    expect(outOfDepth(traj([turn('find "a dog": found=no', null), turn(null, 'no', 1)], 'counting'))).toBeNull();
  });
});
