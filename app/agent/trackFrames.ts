/**
 * Wraps a video's FrameProvider so the UI can show which frames Python actually fetched
 * (on-demand context construction: only those frames are ever decoded).
 */
import type { FrameProvider, Pixels, PythonRuntime, SessionInputs } from '../../src/runtime/types';

export function trackFrames(provider: FrameProvider, onFetch: (index: number) => void): FrameProvider {
  return {
    meta: provider.meta,
    getFrame(index: number): Promise<Pixels> {
      onFetch(index);
      return provider.getFrame(index);
    },
  };
}

/**
 * A runtime whose sessions see the video through `trackFrames`: only what the Python code asks
 * for is recorded (an oracle policy reading frames directly is not Python fetching them).
 */
export function trackingRuntime(runtime: PythonRuntime, onFetch: (index: number) => void): PythonRuntime {
  return {
    start: () => runtime.start(),
    openSession: (inputs?: SessionInputs) => runtime.openSession(inputs?.video ? { ...inputs, video: trackFrames(inputs.video, onFetch) } : inputs),
    status: () => runtime.status(),
    onStatus: (listener) => runtime.onStatus(listener),
    dispose: () => runtime.dispose(),
  };
}
