import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PythonRuntime } from '../../runtime/types';
import { cropFromSearch } from '../../policies/searchScripts';
import { createNodeRuntime } from '../../../workers/node/nodeRuntime';
import { selectBackend } from '../backend';
import { TEST_CONFIG, cloneConfig } from '../config';
import { buildSftDataset, defaultDataOptions, nodeDirStore, type SftDataset } from './dataset';
import { recordToExample, trainSft, trainSftTokenizer, usableInWindow } from './trainer';
import type { SftRecord } from './dataset';

// Tiny preset with room for a whole trajectory (byte-level tokens are many with 320 ids).
const CONFIG = { ...cloneConfig(TEST_CONFIG), maxSeq: 1024 };
const OPTIONS = defaultDataOptions({
  tasks: 4,
  seed: 5,
  mix: { 'visual-search': 1, counting: 1 },
  expert: { strategy: 'search-then-crop', skipToolsProb: 0, slipProb: 0.5, guessProb: 0 },
  imageSide: CONFIG.visual.imageSide,
});

let runtime: PythonRuntime;
let dir: string;
let ds: SftDataset;

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
  runtime = await createNodeRuntime({ poolSize: 2, maxWorkers: 2, packages: 'compat' });
  await runtime.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sft-test-'));
  ds = await buildSftDataset(OPTIONS, { runtime, store: nodeDirStore(dir), concurrency: 2 });
}, 120_000);

afterAll(async () => {
  await runtime?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('SFT dataset', () => {
  it('keeps the expert traces, with tool calls and images at the model side', () => {
    expect(ds.fromCache).toBe(false);
    expect(ds.records.length).toBeGreaterThanOrEqual(3);
    for (const r of ds.records) {
      expect(r.endReason).toBe('DONE');
      expect(r.correct).toBe(true);
      expect(r.toolCalls).toBeGreaterThanOrEqual(1);
      expect(r.images.length).toBeGreaterThanOrEqual(1);
      for (const img of r.images) expect([img.width, img.height, img.channels]).toEqual([16, 16, 3]);
      expect(r.messages.filter((m) => m.role === 'assistant').length).toBeGreaterThanOrEqual(2);
    }
  });

  it('search-then-crop: turn 2 crops exactly the window the search printed', () => {
    const vs = ds.records.filter((r) => r.family === 'visual-search');
    expect(vs.length).toBeGreaterThanOrEqual(1);
    for (const r of vs) {
      const text = (i: number) => r.messages[i]!.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
      const turns = r.messages.map((m, i) => [m.role, i] as const).filter(([role, i]) => role === 'assistant' || (role === 'user' && i > 1));
      const searchObs = turns.filter(([role]) => role === 'user').map(([, i]) => text(i)).find((t) => t.includes('crop box:'));
      const found = cropFromSearch(searchObs ?? '');
      expect(found).not.toBeNull();
      const w = found!.window;
      expect(turns.some(([role, i]) => role === 'assistant' && text(i).includes(`image_clue_0.crop((${w.x0}, ${w.y0}, ${w.x1}, ${w.y1}))`))).toBe(true);
    }
  });

  it('is deterministic per seed, and a rerun loads the cache', async () => {
    const again = await buildSftDataset(OPTIONS, { runtime, concurrency: 1 });
    expect(again.contentHash).toBe(ds.contentHash);
    const cached = await buildSftDataset(OPTIONS, { runtime, store: nodeDirStore(dir) });
    expect(cached.fromCache).toBe(true);
    expect(cached.contentHash).toBe(ds.contentHash);
    expect(fs.existsSync(path.join(dir, ds.key, 'data.jsonl'))).toBe(true);
    const other = await buildSftDataset({ ...OPTIONS, tasks: 1, seed: 6 }, { runtime });
    expect(other.key).not.toBe(ds.key);
  }, 60_000);

  it('puts only the assistant text in the loss (observations and images masked)', () => {
    const tok = trainSftTokenizer(ds.records, CONFIG.vocabSize);
    for (const r of ds.records) {
      const ex = recordToExample(tok, r);
      const own = ex.ids.filter((_, i) => ex.lossMask[i] === 1);
      const assistant = r.messages.filter((m) => m.role === 'assistant').map((m) => m.content.map((p) => (p.type === 'text' ? p.text : '')).join(''));
      expect(tok.decode(own)).toBe(assistant.join(''));
      ex.ids.forEach((id, i) => {
        if (id === tok.imageId) expect(ex.lossMask[i]).toBe(0);
      });
      // Every interpreter observation is in the stream, outside the loss.
      const context = tok.decode(ex.ids.filter((id, i) => ex.lossMask[i] === 0 && id !== tok.imageId && id !== tok.bosId && !tok.isSpecial(id)));
      const observations = r.messages.filter((m, i) => m.role === 'user' && i > 1).map((m) => m.content.map((p) => (p.type === 'text' ? p.text : '')).join(''));
      expect(observations.length).toBeGreaterThanOrEqual(1);
      for (const o of observations) expect(context).toContain(o);
    }
  });
});

describe('SFT trainer', () => {
  it('overfits a tiny set (loss falls), is deterministic, and keeps the tensor count flat', async () => {
    const records = ds.records.slice(0, 2);
    const counts: number[] = [];
    const cfg = { model: CONFIG, batchSize: 2, seqLen: 1024, steps: 24, timeBudgetMs: Infinity, seed: 3, optim: { lr: 1e-2, warmupSteps: 3 }, logEvery: 4 };
    const before = tf.memory().numTensors;
    const r = await trainSft(records, cfg, { beforeStep: () => void counts.push(tf.memory().numTensors) });
    expect(r.steps).toBe(24);
    expect(r.stoppedBy).toBe('steps');
    expect(r.log.length).toBe(6);
    expect(r.log[r.log.length - 1]!.loss).toBeLessThan(r.log[0]!.loss * 0.7);
    // After the first step created the Adam moments, nothing leaks step to step.
    expect(new Set(counts.slice(2)).size).toBe(1);
    r.model.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const short = { ...cfg, steps: 4 };
    const a = await trainSft(records, short);
    const b = await trainSft(records, short);
    expect(a.log.map((e) => e.loss)).toEqual(b.log.map((e) => e.loss));
    expect(Array.from(a.model.p('h0/mlp/fc/w').dataSync())).toEqual(Array.from(b.model.p('h0/mlp/fc/w').dataSync()));
    a.model.dispose();
    b.model.dispose();
  }, 240_000);

  it('fine-tunes given weights in place with their tokenizer (--init), starting from their loss', async () => {
    const records = ds.records.slice(0, 2);
    const cfg = { model: CONFIG, batchSize: 2, seqLen: 1024, steps: 12, timeBudgetMs: Infinity, seed: 3, optim: { lr: 1e-2, warmupSteps: 3 }, logEvery: 12 };
    const first = await trainSft(records, cfg);
    const before = Array.from(first.model.p('h0/mlp/fc/w').dataSync());
    const again = await trainSft(records, cfg, { init: first.model, tokenizer: first.tokenizer });
    expect(again.model).toBe(first.model);
    expect(again.tokenizer).toBe(first.tokenizer);
    // It went on from the trained weights (a fresh start would begin near log V again).
    expect(again.log[0]!.loss).toBeLessThan(first.log[0]!.loss * 0.7);
    expect(Array.from(again.model.p('h0/mlp/fc/w').dataSync())).not.toEqual(before);
    await expect(trainSft(records, cfg, { init: first.model })).rejects.toThrow(/tokenizer it was trained with/);
    first.model.dispose();
  }, 240_000);

  it('trains on examples without images (a video scan that found nothing): the encoder is left as it was', async () => {
    // The same trajectories with their images taken out, as a video question whose scan showed no frame.
    const blind: SftRecord[] = ds.records.slice(0, 2).map((r) => ({
      ...r,
      images: [],
      messages: r.messages.map((m) => ({ ...m, content: m.content.filter((p) => p.type === 'text') })),
    }));
    const cfg = { model: CONFIG, batchSize: 2, seqLen: 1024, steps: 3, timeBudgetMs: Infinity, seed: 3, optim: { lr: 1e-2, warmupSteps: 1 }, logEvery: 1 };
    const tok = trainSftTokenizer(ds.records, CONFIG.vocabSize);
    const ex = recordToExample(tok, blind[0]!);
    expect(ex.images.length).toBe(0);
    expect(usableInWindow(ex, 1024, 4, tok.imageId)).toBe(true);
    const seed = await trainSft(ds.records.slice(0, 2), { ...cfg, steps: 1 });
    const encoder = [...seed.model.params.keys()].filter((n) => n.startsWith('vis/'));
    expect(encoder.length).toBeGreaterThan(0);
    const before = encoder.map((n) => Array.from(seed.model.p(n).dataSync()));
    const fc = Array.from(seed.model.p('h0/mlp/fc/w').dataSync());
    const r = await trainSft(blind, cfg, { init: seed.model, tokenizer: seed.tokenizer });
    expect(r.steps).toBe(3);
    expect(r.examples).toBe(2);
    for (const e of r.log) expect(Number.isFinite(e.loss)).toBe(true);
    expect(encoder.map((n) => Array.from(r.model.p(n).dataSync()))).toEqual(before);
    expect(Array.from(r.model.p('h0/mlp/fc/w').dataSync())).not.toEqual(fc);
    r.model.dispose();
  }, 240_000);

  it('stops on cancellation and on the time budget', async () => {
    const ac = new AbortController();
    ac.abort();
    const c = await trainSft(ds.records.slice(0, 1), { model: CONFIG, batchSize: 1, seqLen: 1024, steps: 10, timeBudgetMs: Infinity, seed: 1, optim: {}, logEvery: 1 }, { signal: ac.signal });
    expect(c.stoppedBy).toBe('cancelled');
    expect(c.steps).toBe(0);
    c.model.dispose();
    const t = await trainSft(ds.records.slice(0, 1), { model: CONFIG, batchSize: 1, seqLen: 1024, steps: 10, timeBudgetMs: 0, seed: 1, optim: {}, logEvery: 1 });
    expect(t.stoppedBy).toBe('time');
    t.model.dispose();
  });
});
