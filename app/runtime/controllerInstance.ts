/** The page's single PythonController, backed by the real browser runtime (Pyodide workers). */
import { createBrowserRuntime } from '../../workers/python/browserRuntime';
import type { RuntimeStatus } from '../../src/runtime/types';
import { PythonController } from './pythonController';

let instance: PythonController | null = null;

export function getController(onStatus: (status: RuntimeStatus) => void, timeoutMs: number): PythonController {
  instance ??= new PythonController((options) => createBrowserRuntime(options), onStatus, timeoutMs);
  return instance;
}
