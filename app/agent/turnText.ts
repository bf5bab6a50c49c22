/** Splitting a turn's raw text for display: the reasoning (without code blocks and the answer block). */
// The reasoning split lives with the protocol (the classroom report in src/ needs it too).
export { reasoningOf } from '../../src/agent/protocol';

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
