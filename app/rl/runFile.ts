/**
 * One run as one file, for moving it to another browser (or a GPU trainer's tooling):
 *
 *   { format: 'pyvision-rl-run', version: 1, exportedAt, run: RunMeta,
 *     files: [{ path, encoding: 'utf8' | 'base64', data }] }
 *
 * Text files (config, logs, samples, token views, model.json…) stay readable; binary ones
 * (weights.bin, optimizer.bin) are base64. The paths are exactly the run folder of
 * src/rl/runStore.ts, so the files can be written out as a Node run folder.
 *
 * parseRunFile validates EVERYTHING before anything is written (shape, paths, base64, the
 * config, every log line, that the latest checkpoint is complete) and throws one clear error;
 * the import then writes all files in one transaction under a new id.
 */
import { z } from 'zod';
import { validateRlConfig, type RlConfig } from '../../src/rl/config';
import type { RunMeta } from './runsDb';

export const RUN_FILE_FORMAT = 'pyvision-rl-run';

const SAFE_PATH =
  /^(config\.json|metrics\.jsonl|groups\.jsonl|samples\/step-\d{6}-[\w.-]+\.json|tokens\/step-\d{6}\.json|checkpoints\/latest\.json|checkpoints\/step-\d{6}\/(model\.json|weights\.bin|tokenizer\.json|optimizer\.bin|state\.json))$/;
const BINARY = /\.bin$/;
const CHECKPOINT_FILES = ['model.json', 'weights.bin', 'tokenizer.json', 'optimizer.bin', 'state.json'];

const fileSchema = z.object({
  path: z.string().regex(SAFE_PATH, 'not a file of a run folder'),
  encoding: z.enum(['utf8', 'base64']),
  data: z.string(),
});

const metaSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200),
  createdAt: z.number(),
  status: z.enum(['running', 'paused', 'stopped', 'done', 'error', 'interrupted']),
  step: z.number().int().min(0),
  steps: z.number().int().min(0),
  checkpointStep: z.number().int().min(0).nullable(),
  config: z.record(z.string(), z.unknown()),
  weights: z.object({ name: z.string(), contentHash: z.string() }).nullable(),
});

const runFileSchema = z.object({
  format: z.literal(RUN_FILE_FORMAT),
  version: z.literal(1),
  exportedAt: z.string(),
  run: metaSchema,
  files: z.array(fileSchema).min(1),
});

export class RunFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFileError';
  }
}

// ---- base64 (chunked: String.fromCharCode on megabytes at once overflows the stack) ----

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export function buildRunFile(meta: RunMeta, files: Map<string, Uint8Array>): string {
  const list = [...files]
    .filter(([p]) => SAFE_PATH.test(p))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, bytes]) => (BINARY.test(path) ? { path, encoding: 'base64', data: toBase64(bytes) } : { path, encoding: 'utf8', data: fromUtf8.decode(bytes) }));
  const run = { ...meta, twin: null };
  return JSON.stringify({ format: RUN_FILE_FORMAT, version: 1, exportedAt: new Date().toISOString(), run, files: list });
}

function jsonOf(path: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(fromUtf8.decode(bytes));
  } catch (err) {
    throw new RunFileError(`${path} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

function checkJsonLines(path: string, bytes: Uint8Array): number[] {
  const steps: number[] = [];
  fromUtf8
    .decode(bytes)
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new RunFileError(`${path}, line ${i + 1}: not valid JSON`);
      }
      const step = (v as { step?: unknown } | null)?.step;
      if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw new RunFileError(`${path}, line ${i + 1}: no step number`);
      steps.push(step);
    });
  return steps;
}

/** Validates a run file's text; returns the run's entry and files, or throws RunFileError. */
export function parseRunFile(text: string): { meta: RunMeta; files: Map<string, Uint8Array> } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RunFileError('this is not a JSON file (a run export is one JSON document)');
  }
  const parsed = runFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'the file';
    throw new RunFileError(`not a run export: ${where}: ${issue.message}`);
  }
  const doc = parsed.data;
  const files = new Map<string, Uint8Array>();
  for (const f of doc.files) {
    if (files.has(f.path)) throw new RunFileError(`${f.path} appears twice`);
    if ((f.encoding === 'base64') !== BINARY.test(f.path)) throw new RunFileError(`${f.path}: unexpected encoding ${f.encoding}`);
    let bytes: Uint8Array;
    try {
      bytes = f.encoding === 'base64' ? fromBase64(f.data) : utf8.encode(f.data);
    } catch {
      throw new RunFileError(`${f.path}: the base64 data is corrupt`);
    }
    files.set(f.path, bytes);
  }
  const configBytes = files.get('config.json');
  if (!configBytes) throw new RunFileError('config.json is missing');
  const saved = jsonOf('config.json', configBytes) as { config?: RlConfig };
  let config: RlConfig;
  try {
    if (!saved?.config || typeof saved.config !== 'object') throw new Error('config.json has no config');
    config = validateRlConfig(saved.config);
  } catch (err) {
    throw new RunFileError(`invalid run config: ${err instanceof Error ? err.message : String(err)}`);
  }
  const metrics = files.get('metrics.jsonl');
  const steps = metrics ? checkJsonLines('metrics.jsonl', metrics) : [];
  const groups = files.get('groups.jsonl');
  if (groups) checkJsonLines('groups.jsonl', groups);
  for (const [p, b] of files) if (p.endsWith('.json')) jsonOf(p, b);

  let checkpointStep: number | null = null;
  const latestBytes = files.get('checkpoints/latest.json');
  if (latestBytes) {
    const latest = jsonOf('checkpoints/latest.json', latestBytes) as { step?: unknown; dir?: unknown };
    if (typeof latest?.dir !== 'string' || typeof latest.step !== 'number') throw new RunFileError('checkpoints/latest.json is malformed');
    for (const f of CHECKPOINT_FILES) if (!files.has(`${latest.dir}/${f}`)) throw new RunFileError(`the latest checkpoint is incomplete: ${latest.dir}/${f} is missing`);
    checkpointStep = latest.step;
  }
  const step = steps.length ? Math.max(...steps) : 0;
  const status = doc.run.status === 'running' ? 'interrupted' : doc.run.status;
  const meta: RunMeta = {
    ...doc.run,
    config,
    status: checkpointStep === null && status !== 'done' ? 'stopped' : status,
    step,
    steps: config.steps,
    checkpointStep,
    twin: null,
    error: null,
    updatedAt: Date.now(),
  };
  return { meta, files };
}
