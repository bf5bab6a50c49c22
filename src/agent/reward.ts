/**
 * PyVision-RL's accumulative tool reward (DESIGN.md §2):
 *   R = R_acc + coef × n_tool_calls × 1[R_acc = 1]
 * The bonus is paid only for correct answers, so a policy cannot farm it by calling tools and
 * answering wrong; the turn budget caps it (+0.4 at 4 calls with coef 0.1).
 */
import { checkAnswer } from '../tasks/check';
import type { Task } from '../tasks/types';
import type { Reward, TurnRecord } from './types';

/** Reward parts, or null when the answer is unknown (the user's own question). */
export function computeReward(task: Task, answer: string | null, toolCalls: number, coef: number): Reward | null {
  if (task.answer === null || task.answerSpec === null) return null;
  const accuracy = checkAnswer(task.answerSpec, answer) ? 1 : 0;
  const toolBonus = accuracy === 1 ? coef * toolCalls : 0;
  return { accuracy, toolCalls, toolBonus, total: accuracy + toolBonus };
}

/**
 * Tool calls of a trajectory: turns whose code reached the interpreter (errors included, as in
 * PyVision-RL's env, which pays the per-call reward on execution errors too). Format errors and
 * code that never ran (an over-length turn) do not count.
 */
export function countToolCalls(turns: readonly TurnRecord[]): number {
  return turns.filter((t) => t.code !== null && t.observation !== null).length;
}
