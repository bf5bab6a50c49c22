/**
 * The README's numbers about the tiny model come from the shipped weights (model.json's
 * config and weight shapes, what the Model view shows), not from memory: once it said 512
 * positions and ≈ 1.4 M parameters for a model with 1024 and 1.31 M. Every such number the
 * README states is checked here; retraining with another config fails this test until the
 * README says the new numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { visualTokens, type ModelConfig } from '../../src/model/config';

const readme = fs.readFileSync(path.resolve('README.md'), 'utf8');
const modelJson = JSON.parse(fs.readFileSync(path.resolve('public/models/tiny/model.json'), 'utf8')) as {
  userDefinedMetadata: { modelConfig: ModelConfig };
  weightsManifest: Array<{ weights: Array<{ shape: number[] }> }>;
};
const config = modelJson.userDefinedMetadata.modelConfig;
const params = modelJson.weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);

const all = (re: RegExp) => [...readme.matchAll(re)].map((m) => m[1]!);

describe('README numbers about the tiny model', () => {
  it('parameters, as the Model view rounds them', () => {
    const stated = all(/([\d.]+)\s*M\s+parameters/g);
    expect(stated.length).toBeGreaterThan(0);
    for (const s of stated) expect(s).toBe((params / 1e6).toFixed(2));
  });
  it('context positions, layers, width and visual tokens per image', () => {
    for (const s of all(/(\d+)[-\s]+positions?\b/g)) expect(Number(s)).toBe(config.maxSeq);
    for (const s of all(/(\d+)-layer\b/g)) expect(Number(s)).toBe(config.nLayers);
    for (const s of all(/\bd=(\d+)/g)) expect(Number(s)).toBe(config.dModel);
    for (const s of all(/(\d+)\s+visual\s+tokens\s+per\s+image/g)) expect(Number(s)).toBe(visualTokens(config));
    expect(all(/(\d+)[-\s]+positions?\b/g).length).toBeGreaterThan(0);
  });
});
