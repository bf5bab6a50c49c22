/**
 * A lost GPU device, told apart from every other error, so that training and generation can
 * move to the next backend instead of failing.
 *
 * How a loss shows up (measured): with TF.js's WebGPU backend, once the device is gone
 * (`device.destroy()`, a driver reset, the tab's GPU process restarting) ops still "run" —
 * WebGPU reports errors asynchronously — and the first read-back rejects with an AbortError
 * from `mapAsync` (Dawn in Node: an empty message; Chromium: "Failed to execute 'mapAsync' on
 * 'GPUBuffer': A valid external Instance reference no longer exists", tfjs issue 8571).
 * `device.lost` resolves as well, when the implementation notices. Both are watched.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './backend';

/** Watches the active backend's device; `lost` is the reason once it is gone. */
export interface DeviceWatch {
  readonly backend: string;
  readonly lost: string | null;
}

type LostInfo = { reason?: string; message?: string };

/** Starts watching the device of the active TF.js backend (only WebGPU has one to lose). */
export function watchDevice(): DeviceWatch {
  const backend = tf.getBackend();
  const watch = { backend, lost: null as string | null };
  if (backend === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: { lost?: Promise<LostInfo> } }).device;
    void device?.lost?.then((info) => {
      watch.lost = `${LOST} (${[info.reason, info.message].filter(Boolean).join(': ') || 'no reason given'})`;
    });
  }
  return watch;
}

const LOST = 'the GPU device was lost';
const LOSS_MESSAGE = /mapAsync|device (is |was )?lost|external Instance reference|GPUDevice.*(destroyed|lost)/i;

/**
 * Why `err` means the GPU device is gone, or null when it is an ordinary error. An AbortError
 * counts only on WebGPU: elsewhere it is a cancelled run, not a lost device.
 */
export function deviceLossReason(err: unknown, watch: DeviceWatch): string | null {
  if (watch.backend !== 'webgpu') return null;
  if (watch.lost) return watch.lost;
  const e = err as { name?: unknown; message?: unknown } | null;
  const name = typeof e?.name === 'string' ? e.name : '';
  const text = typeof e?.message === 'string' ? e.message : String(err);
  if (text.startsWith(LOST)) return text;
  if (LOSS_MESSAGE.test(text)) return `${LOST} (${name ? name + ': ' : ''}${text})`;
  if (name === 'AbortError') return `${LOST} (AbortError from a GPU read-back${text ? `: ${text}` : ''})`;
  return null;
}

/**
 * Whether the device went during a batch of episodes. The agent loop turns a policy's failure
 * into an ERROR_IN_ACTION episode (its `error` text) instead of throwing, so a loss during RL
 * rollouts shows up there, or as `device.lost`.
 */
export function deviceLostDuring(episodeErrors: Array<string | undefined>, watch: DeviceWatch): string | null {
  if (watch.backend !== 'webgpu') return null;
  if (watch.lost) return watch.lost;
  const hit = episodeErrors.find((e) => !!e && (LOSS_MESSAGE.test(e) || /failed: AbortError\b/.test(e)));
  return hit ? `${LOST} (${hit})` : null;
}

/** Forces a device loss on the active WebGPU backend (tests, and the `?debug=gpu` hook, app/model/gpuDebug.ts). */
export function destroyDevice(): boolean {
  const device = (tf.backend() as unknown as { device?: { destroy?: () => void } }).device;
  if (tf.getBackend() !== 'webgpu' || !device?.destroy) return false;
  device.destroy();
  return true;
}
