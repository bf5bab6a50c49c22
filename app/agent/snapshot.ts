/**
 * The agent loop mutates its live Trajectory in place; React needs new objects to re-render.
 * A snapshot copies the containers (turns, records, the image list) and shares the pixels.
 */
import type { Trajectory } from '../../src/agent/types';

export function snapshot(t: Trajectory): Trajectory {
  return {
    ...t,
    images: t.images.slice(),
    turns: t.turns.map((r) => ({ ...r, tokens: { ...r.tokens }, timings: { ...r.timings }, observation: r.observation ? { ...r.observation } : null })),
    reward: t.reward ? { ...t.reward } : null,
  };
}
