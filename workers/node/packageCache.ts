/**
 * Real numpy/Pillow/matplotlib for the Node runtime. The confined child may not write files
 * or fetch on Pyodide's behalf, so the parent downloads the wheels (and their dependencies,
 * from Pyodide's lock file), checks their sha256, and lays them out next to a copy of the
 * Pyodide core files in a folder the child may only read, used as its indexURL.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REAL_PACKAGE_NAMES } from '../python/protocol';

interface Lock {
  info: { version: string };
  packages: Record<string, { file_name: string; sha256: string; depends: string[] }>;
}

const CORE_FILES = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'];

export function packageClosure(lock: Lock, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return;
    const entry = lock.packages[key];
    if (!entry) throw new Error(`package ${name} is not in Pyodide's lock file`);
    seen.add(key);
    entry.depends.forEach(visit);
  };
  roots.forEach(visit);
  return [...seen];
}

/** Returns the folder to use as indexURL, or throws with a one-line reason. */
export async function preparePackageDir(pyodideDir: string, baseUrl: string): Promise<string> {
  const lock = JSON.parse(fs.readFileSync(path.join(pyodideDir, 'pyodide-lock.json'), 'utf8')) as Lock;
  const tag = createHash('sha256').update(baseUrl).digest('hex').slice(0, 10);
  const dir = path.join(os.tmpdir(), `pyvision-pyodide-${lock.info.version}-${tag}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of CORE_FILES) {
    if (!fs.existsSync(path.join(dir, f))) fs.copyFileSync(path.join(pyodideDir, f), path.join(dir, f));
  }
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  for (const name of packageClosure(lock, REAL_PACKAGE_NAMES)) {
    const { file_name, sha256 } = lock.packages[name]!;
    const target = path.join(dir, file_name);
    if (fs.existsSync(target) && sha256Of(fs.readFileSync(target)) === sha256) continue;
    let bytes: Uint8Array;
    try {
      const res = await fetch(new URL(file_name, base), { signal: AbortSignal.timeout(60_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      throw new Error(`could not download ${file_name} from ${base}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (sha256Of(bytes) !== sha256) throw new Error(`${file_name} from ${base} does not match Pyodide's lock file (sha256)`);
    fs.writeFileSync(target, bytes);
  }
  return dir;
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
