import { describe, expect, it } from 'vitest';
import type { Trajectory, TurnRecord } from '../../src/agent/types';
import { firstDifferingTurn, lineDiff } from './diff';

const turn = (index: number, text: string): TurnRecord => ({
  index,
  text,
  code: null,
  answer: null,
  parseError: null,
  observation: null,
  tokens: { count: 1, visual: 0 },
  timings: { generateMs: 0, executeMs: 0 },
});
const traj = (...texts: string[]) => ({ turns: texts.map((t, i) => turn(i, t)) }) as unknown as Trajectory;

describe('lineDiff', () => {
  it('marks removed and added lines around common ones', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc\nd')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'del', text: 'b' },
      { op: 'add', text: 'x' },
      { op: 'same', text: 'c' },
      { op: 'add', text: 'd' },
    ]);
  });
  it('is all "same" for equal texts', () => {
    expect(lineDiff('p\nq', 'p\nq').every((d) => d.op === 'same')).toBe(true);
  });
});

describe('firstDifferingTurn', () => {
  it('finds the first differing turn, a longer trajectory, or none', () => {
    expect(firstDifferingTurn(traj('a', 'b', 'c'), traj('a', 'x', 'c'))).toBe(1);
    expect(firstDifferingTurn(traj('a'), traj('a', 'b'))).toBe(1);
    expect(firstDifferingTurn(traj('a', 'b'), traj('a', 'b'))).toBeNull();
    expect(firstDifferingTurn(traj('z'), traj('a'))).toBe(0);
  });
});
