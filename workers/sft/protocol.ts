/**
 * The SFT worker's typed protocol: one discriminated union each way, the payload tied to the
 * kind. Everything is structured-cloneable (records carry their pixels; the trained model comes
 * back as TF.js model artifacts whose weight buffer is transferred, not copied).
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendChoice, BackendRequest } from '../../src/model/backend';
import type { SftRecord } from '../../src/model/sft/dataset';
import type { SftLogEntry, SftTrainConfig } from '../../src/model/sft/trainer';

export type SftRequest =
  | {
      type: 'start';
      records: SftRecord[];
      config: SftTrainConfig;
      backend: BackendRequest;
      /** Name stored in the weights' metadata. */
      name: string;
      /** Stored with the weights (userDefinedMetadata.extra.card). */
      card: Record<string, unknown>;
    }
  | { type: 'cancel' };

export interface SftSummary {
  steps: number;
  stoppedBy: 'steps' | 'time' | 'cancelled';
  finalLoss: number;
  examples: number;
  unusableExamples: number;
  wallMs: number;
}

export type SftEvent =
  | { type: 'backend'; backend: BackendChoice }
  /** Before each step: how far the run is. */
  | { type: 'progress'; step: number; steps: number; elapsedMs: number }
  | { type: 'log'; entry: SftLogEntry }
  | { type: 'done'; artifacts: tf.io.ModelArtifacts; summary: SftSummary }
  | { type: 'cancelled'; step: number }
  | { type: 'error'; message: string };

export type SftEventType = SftEvent['type'];
