/**
 * The page has one Python runtime (one Pyodide pool), owned by the console's PythonController.
 * The agent playground opens its own sessions on it through this view, which always talks to the
 * controller's current runtime (a restart or a timeout change replaces it) and never disposes it.
 */
import type { PythonRuntime, PythonSession, RuntimeStatus, SessionInputs } from '../../src/runtime/types';
import { pageController } from '../store/playgroundStore';

export function sharedRuntime(): PythonRuntime {
  const current = () => pageController().acquireRuntime();
  return {
    start: () => current().start(),
    async openSession(inputs?: SessionInputs): Promise<PythonSession> {
      const runtime = current();
      await runtime.start();
      return runtime.openSession(inputs);
    },
    status: (): RuntimeStatus => current().status(),
    onStatus: (listener) => current().onStatus(listener),
    dispose: async () => {
      /* the page owns the runtime */
    },
  };
}
