/**
 * `?debug=gpu`: a window hook that destroys the page's WebGPU device, so a lost GPU can be
 * rehearsed (e2e/deviceLoss.spec.ts, or by hand on a real GPU). Loaded only with that flag.
 */
import { destroyDevice } from '../../src/model/deviceLoss';

export function installGpuDebug(): void {
  (window as unknown as { __pvGpuDebug: { destroyDevice(): boolean } }).__pvGpuDebug = { destroyDevice };
}
