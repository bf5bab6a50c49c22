/**
 * Settings kept in this browser only (localStorage): the remote endpoint (URL, model, API key —
 * nothing is sent anywhere until a URL is configured), the chosen policy, the run settings, the
 * tiny model's generation settings, the TF.js backend request and the token colouring toggle.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { INTERACTIVE_LOOP, type ErrorMode } from '../../src/agent/types';
import type { BackendRequest } from '../../src/model/backend';

export const SETTINGS_KEY = 'pyvision.settings.v1';
export const MIN_TURNS = 1;
export const MAX_TURNS = 100;

export type PolicyChoice = 'tiny' | 'scripted' | 'baseline' | 'human' | 'remote';

export interface RemoteSettings {
  baseUrl: string;
  model: string;
  apiKey: string;
}

/** How the tiny policy samples. Temperature 0 is greedy: the playground shows the model's best guess. */
export interface GenerationSettings {
  temperature: number;
  topP: number;
  maxNewTokens: number;
}

export const DEFAULT_GENERATION: GenerationSettings = { temperature: 0, topP: 0.95, maxNewTokens: 256 };
export const GENERATION_LIMITS = {
  temperature: { min: 0, max: 2, step: 0.05 },
  topP: { min: 0.05, max: 1, step: 0.05 },
  maxNewTokens: { min: 8, max: 1024, step: 8 },
} as const;

export interface SettingsState {
  remote: RemoteSettings;
  policy: PolicyChoice;
  maxTurns: number;
  errorMode: ErrorMode;
  generation: GenerationSettings;
  backend: BackendRequest;
  colorTokens: boolean;
  setRemote(patch: Partial<RemoteSettings>): void;
  clearRemote(): void;
  setPolicy(policy: PolicyChoice): void;
  setMaxTurns(n: number): void;
  setErrorMode(mode: ErrorMode): void;
  setGeneration(patch: Partial<GenerationSettings>): void;
  setBackend(backend: BackendRequest): void;
  setColorTokens(on: boolean): void;
}

export function clampTurns(n: number): number {
  if (!Number.isFinite(n)) return INTERACTIVE_LOOP.maxTurns;
  return Math.round(Math.min(MAX_TURNS, Math.max(MIN_TURNS, n)));
}

/** Clamps each generation setting into its range (a bad value keeps the previous one). */
export function clampGeneration(g: GenerationSettings, patch: Partial<GenerationSettings>): GenerationSettings {
  const out = { ...g };
  for (const k of Object.keys(patch) as Array<keyof GenerationSettings>) {
    const v = Number(patch[k]);
    if (!Number.isFinite(v)) continue;
    const { min, max } = GENERATION_LIMITS[k];
    out[k] = Math.min(max, Math.max(min, k === 'maxNewTokens' ? Math.round(v) : v));
  }
  return out;
}

/** Whether the remote policy can be used (a URL and a model are set). */
export function remoteConfigured(r: RemoteSettings): boolean {
  return r.baseUrl.trim() !== '' && r.model.trim() !== '';
}

export const useSettings = create<SettingsState>()(
  persist(
    (set) => ({
      remote: { baseUrl: '', model: '', apiKey: '' },
      // The learned policy is the playground's default (issue 4); the oracles stay one click away.
      policy: 'tiny',
      maxTurns: INTERACTIVE_LOOP.maxTurns,
      errorMode: INTERACTIVE_LOOP.errorMode,
      generation: DEFAULT_GENERATION,
      backend: 'auto',
      colorTokens: false,
      setRemote: (patch) => set((s) => ({ remote: { ...s.remote, ...patch } })),
      clearRemote: () => set({ remote: { baseUrl: '', model: '', apiKey: '' } }),
      setPolicy: (policy) => set({ policy }),
      setMaxTurns: (n) => set({ maxTurns: clampTurns(n) }),
      setErrorMode: (errorMode) => set({ errorMode }),
      setGeneration: (patch) => set((s) => ({ generation: clampGeneration(s.generation, patch) })),
      setBackend: (backend) => set({ backend }),
      setColorTokens: (colorTokens) => set({ colorTokens }),
    }),
    {
      name: SETTINGS_KEY,
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({
        remote: s.remote,
        policy: s.policy,
        maxTurns: s.maxTurns,
        errorMode: s.errorMode,
        generation: s.generation,
        backend: s.backend,
        colorTokens: s.colorTokens,
      }),
    },
  ),
);
