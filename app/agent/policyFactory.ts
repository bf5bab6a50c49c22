/**
 * Builds the policy the user picked for a task, or explains why it cannot be used.
 * Oracles (scripted expert, global-view baseline) read the task's ground truth: only generated
 * tasks have one. The remote policy needs an endpoint configured in Settings first. The tiny
 * policy needs its weights loaded (they load on start); it holds a lease on the model until the
 * run releases it (`disposePolicy`).
 */
import type { Policy } from '../../src/agent/types';
import { createHumanPolicy, type HumanPolicy } from '../../src/policies/human';
import { createRemotePolicy } from '../../src/policies/remote';
import type { Task } from '../../src/tasks/types';
import { createTinyPolicy, useModel } from '../store/modelStore';
import { remoteConfigured, type PolicyChoice, type RemoteSettings } from '../store/settingsStore';
import { createBaselinePolicy, createScriptedExpertPolicy } from './core';

export const POLICY_LABELS: Record<PolicyChoice, string> = {
  tiny: 'Tiny PyVision model (learned, in the browser)',
  scripted: 'Scripted expert (oracle; rules on your own media)',
  baseline: 'Global-view baseline (oracle)',
  human: 'Human (you write the turns)',
  remote: 'Remote model (OpenAI-compatible)',
};

export type PolicyResult = { ok: true; policy: Policy; human: HumanPolicy | null } | { ok: false; error: string };

/** Policies that read a generated task's ground truth and cannot run on the user's own media. */
export function isOracle(choice: PolicyChoice): boolean {
  return choice === 'baseline';
}

export function buildPolicy(choice: PolicyChoice, task: Task, remote: RemoteSettings): PolicyResult {
  try {
    switch (choice) {
      case 'tiny': {
        const policy = createTinyPolicy();
        if (!policy) {
          const m = useModel.getState();
          return {
            ok: false,
            error:
              m.phase === 'error'
                ? `The tiny model could not be loaded (${m.loadError ?? 'unknown error'}). Load weights in the Model view, or pick another policy.`
                : 'The tiny model is still loading: wait for its progress bar to finish (top right).',
          };
        }
        return { ok: true, policy, human: null };
      }
      case 'scripted':
        // On the user's own media the expert plans by rules over the question (no ground truth needed).
        return { ok: true, policy: createScriptedExpertPolicy(task), human: null };
      case 'baseline':
        if (task.family === 'user' || task.answer === null) {
          return {
            ok: false,
            error: 'The global-view baseline is an oracle: it needs a generated task (it reads the ground truth). For your own media or question, pick the tiny, scripted, human or remote policy.',
          };
        }
        return { ok: true, policy: createBaselinePolicy(), human: null };
      case 'human': {
        const human = createHumanPolicy('you');
        return { ok: true, policy: human, human };
      }
      case 'remote':
        if (!remoteConfigured(remote)) {
          return { ok: false, error: 'The remote policy is not configured: set its URL and model in Settings first (nothing is sent anywhere until you do).' };
        }
        return {
          ok: true,
          policy: createRemotePolicy({ baseUrl: remote.baseUrl.trim(), model: remote.model.trim(), ...(remote.apiKey ? { apiKey: remote.apiKey } : {}) }),
          human: null,
        };
    }
  } catch (err) {
    return { ok: false, error: `Could not create the policy: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Frees what a policy holds (the tiny policy's KV caches and its lease on the model). */
export function disposePolicy(policy: Policy): void {
  (policy as Policy & { dispose?: () => void }).dispose?.();
}
