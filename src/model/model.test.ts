import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { TEST_CONFIG, visualTokens } from './config';
import { randomBatch, testTokenizer } from './testHelpers';
import { TinyVLM, type TrainBatch } from './transformer';
import { loadModel, loadWeightsInto, nodeFileHandler, saveModel, WeightsError } from './weights';

const tok = testTokenizer();
let model: TinyVLM;

beforeAll(async () => {
  const choice = await selectBackend({ force: 'wasm' });
  expect(choice.name).toBe('wasm');
  model = TinyVLM.create(TEST_CONFIG, 3);
});

afterAll(() => model.dispose());

const lossOf = (m: TinyVLM, b: TrainBatch) => tf.tidy(() => m.loss(b).loss.dataSync()[0]!);

describe('TinyVLM forward and loss', () => {
  it('produces [B, T, V] logits with images spliced in (images change the output)', () => {
    const batch = randomBatch(TEST_CONFIG, tok, 3, 40);
    expect(batch.images.length).toBe(3);
    const logits = model.forward(batch);
    expect(logits.shape).toEqual([3, 40, TEST_CONFIG.vocabSize]);
    const K = visualTokens(TEST_CONFIG);
    const start = batch.imagePositions[0]!;
    expect(Array.from(batch.ids.slice(start, start + K))).toEqual(new Array(K).fill(tok.imageId));
    // A different image in row 0 changes row 0 after the image, and nothing before it.
    const other = { ...batch, images: [randomBatch(TEST_CONFIG, tok, 1, 40, 99).images[0]!, ...batch.images.slice(1)] };
    const logits2 = model.forward(other);
    const diff = tf.tidy(() => tf.abs(tf.sub(logits, logits2)).max(-1).dataSync());
    expect(Math.max(...diff.slice(0, start))).toBe(0);
    expect(Math.max(...diff.slice(start, 40))).toBeGreaterThan(0);
    expect(Math.max(...diff.slice(40))).toBe(0);
    tf.dispose([logits, logits2]);
  });

  it('masks the loss: masked targets do not count, unmasked ones do', () => {
    const batch = randomBatch(TEST_CONFIG, tok, 2, 32, 5);
    // Row 0 scores nothing after position 20, so token 25 is only ever a (masked) target.
    for (let t = 21; t < 32; t++) batch.lossMask[t] = 0;
    const base = lossOf(model, batch);
    const ids1 = batch.ids.slice();
    ids1[25] = (ids1[25]! + 1) % 256;
    expect(lossOf(model, { ...batch, ids: ids1 })).toBe(base);
    const unmasked = batch.lossMask.findIndex((m, i) => m === 1 && i < 21);
    const ids2 = batch.ids.slice();
    ids2[unmasked] = (ids2[unmasked]! + 1) % 256;
    expect(Math.abs(lossOf(model, { ...batch, ids: ids2 }) - base)).toBeGreaterThan(1e-4);
  });

  it('returns per-token log-probs and entropy that match the loss', () => {
    const batch = randomBatch(TEST_CONFIG, tok, 2, 32, 6);
    const out = tf.tidy(() => {
      const r = model.loss(batch, { entropy: true });
      return { loss: r.loss.dataSync()[0]!, lp: Array.from(r.logprobs.dataSync()), ent: Array.from(r.entropy!.dataSync()), n: r.positions.length, positions: r.positions };
    });
    expect(out.lp.length).toBe(out.n);
    expect(out.n).toBe(Array.from(batch.lossMask).reduce((s: number, m: number, i: number) => s + (i % 32 > 0 ? m : 0), 0));
    expect(-out.lp.reduce((a, b) => a + b, 0) / out.n).toBeCloseTo(out.loss, 5);
    // Both equal what the full forward pass says at those positions (with the copy head: its mixture).
    const logp = tf.tidy(() => model.forward(batch).arraySync());
    out.lp.forEach((lp, k) => {
      const at = out.positions[k]!;
      const row = logp[Math.floor(at / 32)]![(at % 32) - 1]!;
      expect(lp).toBeCloseTo(row[batch.ids[at]!]!, 4);
      expect(out.ent[k]).toBeCloseTo(-row.reduce((s, x) => s + Math.exp(x) * x, 0), 3);
    });
    // Untrained: no token is favoured much, so the entropy stays within a few nats of log V.
    for (const e of out.ent) expect(e).toBeGreaterThan(Math.log(TEST_CONFIG.vocabSize) - 3);
  });

  it('computes the same gradients on the CPU and WASM backends', async () => {
    const batch = randomBatch(TEST_CONFIG, tok, 2, 24, 8);
    const vars = [...model.params.values()];
    const grads = () => tf.tidy(() => {
      const { grads } = tf.variableGrads(() => model.loss(batch).loss, vars);
      return vars.map((v) => Array.from(grads[v.name]!.dataSync()));
    });
    const wasm = grads();
    await tf.setBackend('cpu');
    try {
      const cpu = grads();
      let worst = 0;
      let scale = 0;
      wasm.forEach((g, i) => g.forEach((x, j) => {
        worst = Math.max(worst, Math.abs(x - cpu[i]![j]!));
        scale = Math.max(scale, Math.abs(x));
      }));
      expect(scale).toBeGreaterThan(1e-3);
      expect(worst).toBeLessThan(1e-5);
    } finally {
      await tf.setBackend('wasm');
    }
  });
});

describe('weights', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tiny-vlm-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('save → load round trip gives identical outputs and keeps the metadata', async () => {
    await saveModel(model, nodeFileHandler(dir), { name: 'test', tokenizer: tok.toJSON() });
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.userDefinedMetadata.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const { model: loaded, meta } = await loadModel(nodeFileHandler(dir));
    expect(meta.name).toBe('test');
    expect(meta.tokenizer).toEqual(tok.toJSON());
    const batch = randomBatch(TEST_CONFIG, tok, 2, 24, 11);
    const a = model.forward(batch);
    const b = loaded.forward(batch);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    loaded.dispose();
  });

  it('rejects malformed or mismatched files clearly and keeps the current model working', async () => {
    await saveModel(model, nodeFileHandler(dir));
    const handler = nodeFileHandler(dir);
    const good = await handler.load!();
    const batch = randomBatch(TEST_CONFIG, tok, 1, 24, 12);
    const before = lossOf(model, batch);

    const bin = await readFile(path.join(dir, 'weights.bin'));
    await writeFile(path.join(dir, 'weights.bin'), bin.subarray(0, bin.length - 8));
    await expect(loadModel(nodeFileHandler(dir))).rejects.toThrow(/bytes|weight data/);
    await writeFile(path.join(dir, 'weights.bin'), bin);

    const flipped = new Uint8Array(bin);
    flipped[100] = flipped[100]! ^ 0xff;
    expect(() => loadWeightsInto(model, { ...good, weightData: flipped.buffer })).toThrow(/content hash/);

    const wrongShape = { ...good, weightSpecs: good.weightSpecs!.map((s) => (s.name === 'ln_f/g' ? { ...s, shape: [7] } : s)) };
    expect(() => loadWeightsInto(model, wrongShape)).toThrow(/"ln_f\/g" has shape \[7\]/);

    const otherConfig = { ...good, userDefinedMetadata: { ...good.userDefinedMetadata, modelConfig: { ...TEST_CONFIG, dFF: 128 } } };
    expect(() => loadWeightsInto(model, otherConfig)).toThrow(WeightsError);

    await writeFile(path.join(dir, 'model.json'), '{ not json');
    await expect(loadModel(nodeFileHandler(dir))).rejects.toThrow(/model.json/);

    expect(() => loadWeightsInto(model, { ...good, format: 'layers-model' })).toThrow(/format/);
    expect(lossOf(model, batch)).toBe(before);
  });
});
