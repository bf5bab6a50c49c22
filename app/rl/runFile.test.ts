/**
 * Run files: an export round-trips (text files readable, binaries base64, the run entry back);
 * every malformed file is refused with a message naming the problem, before anything is written.
 */
import { describe, expect, it } from 'vitest';
import { rlConfig } from '../../src/rl/config';
import { buildRunFile, fromBase64, parseRunFile, RunFileError, toBase64 } from './runFile';
import type { RunMeta } from './runsDb';

const enc = new TextEncoder();
const config = rlConfig({ preset: 'test', steps: 4 });
const meta: RunMeta = {
  id: 'run-1',
  name: 'unit',
  createdAt: 1,
  updatedAt: 1,
  status: 'paused',
  step: 2,
  steps: 4,
  checkpointStep: 2,
  config,
  weights: { name: 'w', contentHash: 'abc' },
  twin: { id: 'twin-1', arm: 'A' },
  error: null,
};

function files(): Map<string, Uint8Array> {
  const dir = 'checkpoints/step-000002';
  return new Map<string, Uint8Array>([
    ['config.json', enc.encode(JSON.stringify({ config, meta: {} }))],
    ['metrics.jsonl', enc.encode('{"step":1,"rollout/accuracy":0.5}\n{"step":2,"rollout/accuracy":null}\n')],
    ['groups.jsonl', enc.encode('{"step":1,"groups":[]}\n')],
    ['samples/step-000001-s0-p0-g1.json', enc.encode('{"format":"x"}')],
    ['checkpoints/latest.json', enc.encode(JSON.stringify({ step: 2, dir }))],
    [`${dir}/model.json`, enc.encode('{}')],
    [`${dir}/weights.bin`, new Uint8Array(70_000).map((_, i) => i % 251)],
    [`${dir}/tokenizer.json`, enc.encode('{}')],
    [`${dir}/optimizer.bin`, new Uint8Array([1, 2, 3, 4])],
    [`${dir}/state.json`, enc.encode('{"step":2}')],
  ]);
}

type Doc = { files: Array<{ path: string; encoding: string; data: string }>; run: Record<string, unknown>; format: string };
const mutate = (f: (d: Doc) => void) => {
  const d = JSON.parse(buildRunFile(meta, files())) as Doc;
  f(d);
  return JSON.stringify(d);
};
const refused = (text: string) => {
  try {
    parseRunFile(text);
  } catch (err) {
    expect(err).toBeInstanceOf(RunFileError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('run files', () => {
  it('round-trips every file byte for byte and the run entry (twin link dropped)', () => {
    const text = buildRunFile(meta, files());
    const { meta: back, files: got } = parseRunFile(text);
    expect([...got.keys()].sort()).toEqual([...files().keys()].sort());
    for (const [p, b] of files()) expect(Array.from(got.get(p)!)).toEqual(Array.from(b));
    expect(back).toMatchObject({ name: 'unit', step: 2, steps: 4, checkpointStep: 2, status: 'paused', twin: null });
    expect(back.config).toEqual(config);
    // Binaries are base64, text stays text.
    const doc = JSON.parse(text) as Doc;
    expect(doc.files.find((f) => f.path.endsWith('weights.bin'))!.encoding).toBe('base64');
    expect(doc.files.find((f) => f.path === 'metrics.jsonl')!.data).toContain('rollout/accuracy');
  });

  it('base64 survives large buffers', () => {
    const b = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    expect(Array.from(fromBase64(toBase64(b)))).toEqual(Array.from(b));
  });

  it('refuses malformed files with a clear message', () => {
    expect(refused('not json')).toMatch(/not a JSON file/);
    expect(refused('{"format":"other"}')).toMatch(/not a run export: format/);
    expect(refused(mutate((d) => d.files.push({ path: '../../etc/passwd', encoding: 'utf8', data: '' })))).toMatch(/not a file of a run folder/);
    expect(refused(mutate((d) => (d.files = d.files.filter((f) => f.path !== 'config.json'))))).toMatch(/config.json is missing/);
    expect(refused(mutate((d) => (d.files = d.files.filter((f) => !f.path.endsWith('optimizer.bin')))))).toMatch(/latest checkpoint is incomplete.*optimizer.bin/);
    expect(refused(mutate((d) => (d.files.find((f) => f.path === 'metrics.jsonl')!.data = '{"step":1}\n{oops\n')))).toMatch(/metrics.jsonl, line 2/);
    expect(refused(mutate((d) => (d.files.find((f) => f.path.endsWith('weights.bin'))!.data = '@@@')))).toMatch(/base64 data is corrupt/);
    expect(refused(mutate((d) => (d.files.find((f) => f.path === 'config.json')!.data = JSON.stringify({ config: { ...config, groupSize: 1 } }))))).toMatch(/invalid run config: .*groupSize/);
    expect(refused(mutate((d) => d.files.push({ ...d.files[0]! })))).toMatch(/appears twice/);
  });
});
