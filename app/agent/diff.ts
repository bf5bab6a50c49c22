/**
 * Comparing two trajectories (a branch and its parent): the first turn where they differ, and a
 * line diff of a turn's code. Framework-free.
 */
import type { Trajectory, TurnRecord } from '../../src/agent/types';

export type DiffOp = { op: 'same' | 'add' | 'del'; text: string };

/** Line diff by longest common subsequence (O(n·m); code cells are short). */
export function lineDiff(before: string, after: string): DiffOp[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) {
    return [...a.map((text) => ({ op: 'del' as const, text })), ...b.map((text) => ({ op: 'add' as const, text }))];
  }
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: 'same', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: 'del', text: a[i++]! });
    else out.push({ op: 'add', text: b[j++]! });
  }
  while (i < n) out.push({ op: 'del', text: a[i++]! });
  while (j < m) out.push({ op: 'add', text: b[j++]! });
  return out;
}

function sameTurn(x: TurnRecord, y: TurnRecord): boolean {
  return x.text === y.text && (x.observation?.text ?? null) === (y.observation?.text ?? null);
}

/**
 * Index of the first turn that differs (text or observation), or of the first turn only one of
 * them has; null when both have the same turns.
 */
export function firstDifferingTurn(a: Trajectory, b: Trajectory): number | null {
  const n = Math.min(a.turns.length, b.turns.length);
  for (let i = 0; i < n; i++) if (!sameTurn(a.turns[i]!, b.turns[i]!)) return i;
  return a.turns.length === b.turns.length ? null : n;
}
