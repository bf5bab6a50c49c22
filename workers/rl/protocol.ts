/**
 * The RL worker's typed protocol: one discriminated union each way, the payload tied to the
 * kind, everything structured-cloneable. One worker trains one run, or the two arms of the
 * collapse demo (stepping together, in lockstep, see handler.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendChoice, BackendName, BackendRequest } from '../../src/model/backend';
import type { TokenizerJson } from '../../src/model/tokenizer';
import type { RlConfig } from '../../src/rl/config';
import type { GroupRecord } from '../../src/rl/grpo';
import type { StepMetrics } from '../../src/rl/metrics';
import type { TrajectorySummary } from '../../src/rl/trainer';

/**
 * One run the worker trains. `resume`: continue from the store's latest checkpoint; its
 * config.json wins, except that `config.steps` may raise the step target.
 */
export interface RunSpec {
  runId: string;
  config: RlConfig;
  resume: boolean;
  /** Recorded in config.json next to the config (start weights, twin arm…). */
  meta?: Record<string, unknown>;
}

/** The model a fresh run starts from (the page's active weights; a copy, not transferred). */
export interface StartWeights {
  artifacts: tf.io.ModelArtifacts;
  tokenizer: TokenizerJson | null;
}

export type RlRequest =
  | { type: 'start'; runs: RunSpec[]; weights: StartWeights | null; backend: BackendRequest }
  /** Takes effect after the step in progress; a checkpoint is saved, so a reload loses nothing. */
  | { type: 'pause' }
  | { type: 'resume' }
  /** Abandons the step in progress; the last finished step is checkpointed. */
  | { type: 'stop' };

/** What the token view shows of one trajectory: per turn the sampled pieces, then the (masked) observation. */
export interface TokenTurn {
  pieces: string[];
  /** Sampling log-probs, rounded (tooltips). */
  logprobs: number[];
  /** The interpreter's answer (truncated), fed back as context but masked out of the loss. */
  observation: string | null;
  images: number;
}
/** tokens/step-000012.json in the run store: every trajectory of the step, by id. */
export type StepTokens = Record<string, TokenTurn[]>;

export type RlPhase = 'loading' | 'python' | 'running' | 'pausing' | 'paused' | 'stopping';

export type RlEvent =
  | { type: 'backend'; backend: BackendChoice }
  | { type: 'phase'; phase: RlPhase; detail: string }
  /** A run is ready: its step count (more than 0 when resumed) and target. */
  | { type: 'started'; runId: string; step: number; steps: number }
  /** Rollouts of the step in progress. */
  | { type: 'rollout'; runId: string; step: number; done: number; total: number }
  | {
      type: 'step';
      runId: string;
      step: number;
      metrics: StepMetrics;
      groups: Array<GroupRecord<TrajectorySummary>>;
      /** Paths (in the run store) of the trajectories saved in full this step. */
      samples: string[];
    }
  | { type: 'checkpoint'; runId: string; step: number }
  /**
   * The GPU device was lost mid-run: the runs go on on `to`, each from its latest checkpoint
   * (`steps`: the step each resumes after; later steps are re-run with the same seeds).
   */
  | { type: 'backend-lost'; from: BackendName; to: BackendName; reason: string; steps: Record<string, number> }
  | { type: 'paused'; steps: Record<string, number> }
  | { type: 'done'; runs: Array<{ runId: string; steps: number; stoppedBy: 'steps' | 'stopped' }> }
  | { type: 'error'; message: string };

export type RlEventType = RlEvent['type'];
