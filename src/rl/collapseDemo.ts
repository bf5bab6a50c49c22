/**
 * The interaction-collapse demo's one definition, shared by `npm run demo:collapse`
 * (cli/demoCollapse.ts) and the page's one-click button (app/rl/CollapseDemo.tsx), so a headless
 * sweep speaks for what a class sees: the same start weights, preset and the two arms, which
 * differ only in the accumulative tool reward's coefficient.
 */
import { rlConfig, validateRlConfig, type RlConfig, type RlPresetName } from './config';

export const COLLAPSE_DEMO = {
  /** The RL preset both arms use. */
  preset: 'collapse' satisfies RlPresetName,
  /** The shipped weight set both arms start from (public/models/<name>). */
  startWeights: 'collapse-start',
  /** Arm A's tool-reward coefficient; arm B's is 0. */
  toolRewardCoef: 0.1,
} as const;

/** Arm A (with the tool reward) and arm B (without): identical but for the coefficient. */
export function collapseArms(base: RlConfig, toolRewardCoef: number = COLLAPSE_DEMO.toolRewardCoef): { A: RlConfig; B: RlConfig } {
  return { A: { ...base, toolRewardCoef }, B: { ...base, toolRewardCoef: 0 } };
}

/** The demo's default base config (the preset, nothing overridden). */
export function collapseDemoBase(over: Partial<RlConfig> = {}): RlConfig {
  return validateRlConfig(rlConfig({ preset: COLLAPSE_DEMO.preset, ...over }));
}

/** The plain-language explanation the page and the classroom report show (one source). */
export const COLLAPSE_EXPLANATION: ReadonlyArray<{ title: string; text: string }> = [
  {
    title: 'What it is.',
    text:
      'The model starts out using tools: it writes Python to zoom, count or scan a video before it answers (it learned that from examples). ' +
      'Reinforcement learning then rewards it only for right answers. Tool calls cost turns and can fail, and a lucky guess without tools earns the ' +
      'same reward, so the training signal slowly teaches the model to stop calling tools: interaction collapse. Accuracy can look fine, or even better, ' +
      'at first, then it falls behind on the questions that need a closer look.',
  },
  {
    title: 'The fix.',
    text:
      'Pay a small bonus for every tool call, but only when the answer is right: reward = correct + 0.1 × tool calls. Guessing earns nothing extra, ' +
      'and a wrong answer earns nothing at all however many tools it used, so the model is pushed to use tools and be right. The turn budget caps the bonus.',
  },
  {
    title: 'What to watch.',
    text:
      "Run A has the bonus (0.1), run B none (0); same start, same seed, same tasks. Watch B's tool calls per trajectory drift down and its zero-tool " +
      'share climb, while A holds on to its tools; then compare accuracy and turns. On a tiny model in a browser the effect needs many steps: start it and let it run.',
  },
];
