/**
 * The playground's saved trajectories: written as our record JSON after each episode (in the
 * background), read back on load. Framework-free.
 */
import { fromRecordJson, toRecordJson } from '../../src/agent/exportFormats';
import type { Trajectory } from '../../src/agent/types';
import { indexedDbStore } from './kv';
import { SavedTrajectories } from './savedTrajectories';

const saved = new SavedTrajectories(indexedDbStore());

/** Saves a finished trajectory soon (PNG-encoding its images takes a moment); resolves when saved. */
export function saveSoon(t: Trajectory, frames?: number[]): Promise<boolean> {
  return new Promise((resolve) => {
    setTimeout(() => {
      let json: string;
      try {
        json = toRecordJson(t);
      } catch (err) {
        console.warn('could not save the trajectory', err);
        return resolve(false);
      }
      saved
        .save(t.id, json, frames)
        .then((dropped) => {
          if (dropped.length) console.info(`dropped ${dropped.length} old saved trajectories (size cap)`);
          resolve(true);
        })
        .catch((err: unknown) => {
          console.warn('could not save the trajectory', err);
          resolve(false);
        });
    }, 0);
  });
}

export function forget(id: string): void {
  void saved.remove(id).catch(() => {});
}

/** Reads every saved trajectory, oldest first; unreadable ones are skipped. */
export async function loadSaved(
  onTrajectory: (t: Trajectory, frames: number[] | undefined) => void,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  const index = await saved.index();
  for (const [i, entry] of index.entries()) {
    await new Promise((r) => setTimeout(r, 0)); // keep the page responsive
    try {
      const json = await saved.load(entry.id);
      if (json) onTrajectory(fromRecordJson(json), entry.frames);
    } catch (err) {
      console.warn(`saved trajectory ${entry.id} could not be read`, err);
    }
    onProgress(i + 1, index.length);
  }
}
