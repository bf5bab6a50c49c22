/** The page's single PythonController, backed by the real browser runtime (Pyodide workers). */
import { createBrowserPerception } from '../../workers/perception/browserService';
import type { PerceptionClient } from '../../workers/perception/client';
import { createBrowserRuntime } from '../../workers/python/browserRuntime';
import type { RuntimeStatus } from '../../src/runtime/types';
import { PythonController } from './pythonController';

let instance: PythonController | null = null;
let perception: PerceptionClient | null = null;

/** The page's perception service (detector, OCR): one for every Python worker the page starts. */
export function getPerception(): PerceptionClient {
  perception ??= createBrowserPerception();
  return perception;
}

export function getController(onStatus: (status: RuntimeStatus) => void, timeoutMs: number): PythonController {
  instance ??= new PythonController((options) => createBrowserRuntime(options, getPerception()), onStatus, timeoutMs);
  return instance;
}
