/**
 * The perception service for Node (tests, the CLI, headless training): a PerceptionClient over a
 * worker thread running thread.ts. The thread is bundled with esbuild (packages kept external)
 * into node_modules/.cache/, so bare imports resolve from the project's node_modules and no
 * TypeScript loader is needed in the thread.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PerceptionClient, type PerceptionPort } from './client';
import type { PerceptionEvent } from './protocol';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

/** Overrides for where the models come from (tests point them at missing or corrupt files). */
export interface NodePerceptionPaths {
  detectorJson?: string;
  detectorWeights?: string;
  ocrLangPath?: string;
}

let bundle: Promise<string> | null = null;

function buildThreadBundle(): Promise<string> {
  bundle ??= (async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [path.join(here, 'thread.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const dir = path.join(repoRoot, 'node_modules', '.cache', 'pyvision-perception');
    const file = path.join(dir, `thread-${hash}.mjs`);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, file);
    }
    return file;
  })();
  return bundle;
}

function threadPort(file: string, paths: NodePerceptionPaths): PerceptionPort {
  const worker = new Worker(file, { workerData: paths });
  let exited = false;
  const exitListeners: Array<(reason: string) => void> = [];
  const died = (reason: string) => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l(reason);
  };
  worker.on('error', (err) => died(err.message));
  worker.on('exit', (code) => died(`exit code ${code}`));
  // An idle perception thread must not keep a CLI or a test process alive.
  worker.unref();
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer),
    onEvent: (l) => worker.on('message', (m: PerceptionEvent) => l(m)),
    onExit: (l) => exitListeners.push(l),
    terminate: () => {
      exited = true;
      void worker.terminate();
    },
  };
}

/** A new perception service (its own thread and models). */
export async function createNodePerception(paths: NodePerceptionPaths = {}): Promise<PerceptionClient> {
  const file = await buildThreadBundle();
  return new PerceptionClient(() => threadPort(file, paths));
}

let shared: Promise<PerceptionClient> | null = null;

/** The process's one perception service with the shipped models (what runtimes use by default). */
export function sharedNodePerception(): Promise<PerceptionClient> {
  shared ??= createNodePerception();
  return shared;
}
