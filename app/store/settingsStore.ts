/**
 * Settings kept in this browser only (localStorage): the remote endpoint (URL, model, API key —
 * nothing is sent anywhere until a URL is configured), the chosen policy and the run settings.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { INTERACTIVE_LOOP, type ErrorMode } from '../../src/agent/types';

export const SETTINGS_KEY = 'pyvision.settings.v1';
export const MIN_TURNS = 1;
export const MAX_TURNS = 100;

export type PolicyChoice = 'scripted' | 'baseline' | 'human' | 'remote';

export interface RemoteSettings {
  baseUrl: string;
  model: string;
  apiKey: string;
}

export interface SettingsState {
  remote: RemoteSettings;
  policy: PolicyChoice;
  maxTurns: number;
  errorMode: ErrorMode;
  setRemote(patch: Partial<RemoteSettings>): void;
  clearRemote(): void;
  setPolicy(policy: PolicyChoice): void;
  setMaxTurns(n: number): void;
  setErrorMode(mode: ErrorMode): void;
}

export function clampTurns(n: number): number {
  if (!Number.isFinite(n)) return INTERACTIVE_LOOP.maxTurns;
  return Math.round(Math.min(MAX_TURNS, Math.max(MIN_TURNS, n)));
}

/** Whether the remote policy can be used (a URL and a model are set). */
export function remoteConfigured(r: RemoteSettings): boolean {
  return r.baseUrl.trim() !== '' && r.model.trim() !== '';
}

export const useSettings = create<SettingsState>()(
  persist(
    (set) => ({
      remote: { baseUrl: '', model: '', apiKey: '' },
      policy: 'scripted',
      maxTurns: INTERACTIVE_LOOP.maxTurns,
      errorMode: INTERACTIVE_LOOP.errorMode,
      setRemote: (patch) => set((s) => ({ remote: { ...s.remote, ...patch } })),
      clearRemote: () => set({ remote: { baseUrl: '', model: '', apiKey: '' } }),
      setPolicy: (policy) => set({ policy }),
      setMaxTurns: (n) => set({ maxTurns: clampTurns(n) }),
      setErrorMode: (errorMode) => set({ errorMode }),
    }),
    {
      name: SETTINGS_KEY,
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ remote: s.remote, policy: s.policy, maxTurns: s.maxTurns, errorMode: s.errorMode }),
    },
  ),
);
