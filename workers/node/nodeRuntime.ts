/**
 * The Node implementation of PythonRuntime (tests, the `npm run py` CLI, headless training).
 *
 * Each Python worker is a child process running under Node's permission model, with an
 * empty environment, read access only to Pyodide's files and its own bundle, no writes, no
 * child processes, no addons; the network is closed by ./lockdown.ts inside it. Python runs
 * in a thread of that child so the child's main thread can interrupt it through shared memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pixels, PythonRuntime, VideoMeta } from '../../src/runtime/types';
import { PythonPool, type PoolOptions, type WorkerTransport } from '../python/pool';
import type { HostToWorker, WorkerToHost } from '../python/protocol';
import type { ChildControl } from './childProtocol';
import { preparePackageDir } from './packageCache';
import type { PerceptionService } from '../../src/perception/types';
import { sharedNodePerception } from '../perception/nodeService';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const pyDir = path.join(repoRoot, 'workers/python/py');

export function pyodideDir(): string {
  return path.dirname(fileURLToPath(import.meta.resolve('pyodide/pyodide.mjs')));
}

/** The Python sources, keyed like the browser's import.meta.glob ("compat/PIL/Image.py"). */
export function loadPySources(dir = pyDir): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.py')) out[path.relative(dir, full).split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

let bundleDirPromise: Promise<string> | null = null;

/** Bundle child.ts and thread.ts (with the handler and imaging kernels) into one folder the child may read. */
export function buildChildBundle(): Promise<string> {
  bundleDirPromise ??= (async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: { child: path.join(here, 'child.ts'), thread: path.join(here, 'thread.ts') },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      outdir: 'out',
      outExtension: { '.js': '.mjs' },
      logLevel: 'silent',
    });
    const hash = createHash('sha256');
    for (const f of result.outputFiles) hash.update(f.path).update(f.contents);
    const dir = path.join(os.tmpdir(), `pyvision-python-${hash.digest('hex').slice(0, 16)}`);
    if (!fs.existsSync(path.join(dir, 'thread.mjs'))) {
      const staging = `${dir}.${process.pid}.tmp`;
      fs.mkdirSync(staging, { recursive: true });
      for (const f of result.outputFiles) fs.writeFileSync(path.join(staging, path.basename(f.path)), f.contents);
      try {
        fs.renameSync(staging, dir);
      } catch {
        fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
      }
    }
    return dir;
  })();
  return bundleDirPromise;
}

function permissionFlags(readable: string[]): string[] {
  const flag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
  return [flag, ...readable.map((p) => `--allow-fs-read=${p.endsWith('/') ? p : p + '/'}`), '--allow-worker'];
}

class NodeTransport implements WorkerTransport {
  // The child owns the real interrupt buffer and reply channel; these only satisfy the init message's shape.
  readonly interruptBuffer = new SharedArrayBuffer(1);
  readonly replyChannel = new SharedArrayBuffer(1);
  private readonly child: ChildProcess;
  private stderr = '';
  private exited = false;
  private exitListeners: Array<(reason: string) => void> = [];

  constructor(bundleDir: string, pyodide: string) {
    this.child = spawn(
      process.execPath,
      [...permissionFlags([pyodide, bundleDir]), '--no-warnings', path.join(bundleDir, 'child.mjs'), pyodide],
      { env: {}, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' },
    );
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const why = signal ? `signal ${signal}` : `exit code ${code}`;
      const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
      for (const l of this.exitListeners) l(tail ? `${why}: ${tail}` : why);
    });
    this.child.on('error', (err) => {
      for (const l of this.exitListeners) l(err.message);
    });
  }

  post(msg: HostToWorker): void {
    // Shared memory cannot cross a process boundary: the child substitutes its own buffers.
    const wire = msg.kind === 'init' ? { ...msg, interruptBuffer: null, replyChannel: null } : msg.kind === 'open' ? { ...msg, frameChannel: null } : msg;
    this.send(wire);
  }
  onMessage(listener: (msg: WorkerToHost) => void): void {
    this.child.on('message', (m) => listener(m as WorkerToHost));
  }
  onExit(listener: (reason: string) => void): void {
    this.exitListeners.push(listener);
  }
  interrupt(): void {
    this.send({ kind: 'interrupt' } satisfies ChildControl);
  }
  clearInterrupt(): void {
    this.send({ kind: 'clear-interrupt' } satisfies ChildControl);
  }
  frameChannel(_meta: VideoMeta): null {
    return null;
  }
  deliverFrame(sessionId: string, _channel: SharedArrayBuffer | null, index: number, frame: Pixels | { error: string }): void {
    this.send({ kind: 'frame', sessionId, index, frame } satisfies ChildControl);
  }
  deliverReply(seq: number, text: string): void {
    this.send({ kind: 'reply', seq, text } satisfies ChildControl);
  }
  terminate(): void {
    this.exitListeners = [];
    this.child.kill('SIGKILL');
  }

  private send(msg: unknown): void {
    if (!this.exited && this.child.connected) this.child.send(msg as never);
  }
}

export type NodeRuntimeOptions = PoolOptions & {
  /**
   * The models Python's vision tools call. Default: the process's shared service (a worker
   * thread with the shipped detector and OCR, started on the first tool call); null: none.
   */
  perception?: PerceptionService | null;
};

/**
 * A synchronous factory for Node runtimes (what the app's controller and tests take), ready
 * once the child bundle is built and, when an index is configured, the wheels are cached.
 */
export async function nodeRuntimeFactory(base: NodeRuntimeOptions = {}): Promise<(options?: NodeRuntimeOptions) => PythonRuntime> {
  const bundleDir = await buildChildBundle();
  let indexDir = pyodideDir();
  let packageProblem: string | null = null;
  if (base.packages !== 'compat' && base.packageBaseUrl) {
    try {
      indexDir = await preparePackageDir(indexDir, base.packageBaseUrl);
    } catch (err) {
      packageProblem = err instanceof Error ? err.message : String(err);
    }
  }
  const pySources = loadPySources();
  const defaultPerception = base.perception !== undefined ? base.perception : await sharedNodePerception();
  return ({ perception, ...options } = {}) =>
    new PythonPool({
      createTransport: () => new NodeTransport(bundleDir, indexDir),
      indexURL: indexDir + '/',
      pySources,
      packageProblem,
      perception: perception !== undefined ? perception : defaultPerception,
      // The child finds downloaded wheels in its index folder; it has no network of its own.
      options: { ...withoutPerception(base), ...options, packageBaseUrl: null },
    });
}

function withoutPerception({ perception: _, ...rest }: NodeRuntimeOptions): PoolOptions {
  return rest;
}

export async function createNodeRuntime(options: NodeRuntimeOptions = {}): Promise<PythonRuntime> {
  return (await nodeRuntimeFactory(options))();
}
