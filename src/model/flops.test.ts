import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, DEFAULT_SFT_BATCH, TEST_CONFIG } from './config';
import { decodeRunFlopsPerToken, decodeTokenFlops, forwardFlops, imageEncoderFlops, sftStepFlops } from './flops';
import { TinyVLM } from './transformer';

describe('analytic FLOP counts', () => {
  it('count every block projection: 2 FLOPs per weight of qkv, out, fc and proj per token', () => {
    // TEST_CONFIG: d 32, dFF 64, 2 layers → per token 2·2·(32·96 + 32·32 + 2·32·64) = 32 768.
    const f = forwardFlops({ ...TEST_CONFIG, copyHead: false }, 1, 1, 0, 0);
    expect(f.parts.projections).toBe(32_768);
    // One position attends to itself: per layer q·kᵀ and p·v, 2·32 each → 2·2·2·32 = 256 for 2 layers.
    expect(f.parts.attention).toBe(256);
  });

  it('match the model: the projections are the blocks’ matrix parameters, the encoder its weights per patch', () => {
    const c = DEFAULT_CONFIG;
    const m = TinyVLM.create({ ...c, nLayers: 1 }, 0);
    try {
      const mats = ['attn/qkv/w', 'attn/out/w', 'mlp/fc/w', 'mlp/proj/w'].reduce((s, n) => s + m.p(`h0/${n}`).size, 0);
      expect(forwardFlops({ ...c, nLayers: 1, copyHead: false }, 1, 1, 0, 0).parts.projections).toBe(2 * mats);
      // Stage 0 sees (64/4)² patches, stage 1 (64/8)² merges, the output (64/16)² merges.
      const enc = 2 * (16 * 16 * m.p('vis/s0/w').size + 8 * 8 * m.p('vis/s1/w').size + 4 * 4 * m.p('vis/out/w').size);
      expect(imageEncoderFlops(c)).toBe(enc);
    } finally {
      m.dispose();
    }
  });

  it('scale a training step as 3× its forward pass and attention quadratically in T', () => {
    const s = DEFAULT_SFT_BATCH;
    const f = forwardFlops(DEFAULT_CONFIG, s.batchSize, s.seqLen, Math.round(s.batchSize * s.seqLen * s.lossShare), s.batchSize * s.imagesPerSequence);
    expect(sftStepFlops(DEFAULT_CONFIG, s).total).toBeCloseTo(3 * f.total, 0);
    const a1 = forwardFlops(DEFAULT_CONFIG, 1, 100, 0, 0).parts.attention!;
    const a2 = forwardFlops(DEFAULT_CONFIG, 1, 200, 0, 0).parts.attention!;
    expect(a2 / a1).toBe(4);
    // The default SFT step is ≈ 10 GFLOP (the order of magnitude issue 14 quotes).
    expect(sftStepFlops(DEFAULT_CONFIG, s).total / 1e9).toBeGreaterThan(8);
    expect(sftStepFlops(DEFAULT_CONFIG, s).total / 1e9).toBeLessThan(13);
  });

  it('count a decode token as its projections, cache attention and output head', () => {
    const c = DEFAULT_CONFIG;
    const t = decodeTokenFlops(c, 100);
    expect(t.parts.attention).toBe(4 * 2 * 2 * 100 * 128);
    expect(t.parts.head).toBe(2 * 128 * (1024 + 2 * 32 + 1));
    // ≈ 2.5 MFLOP per token at the bench's contexts (128-token prompt, 64 new tokens).
    const mean = decodeRunFlopsPerToken(c, 128, 64);
    expect(mean).toBeGreaterThan(decodeTokenFlops(c, 129).total);
    expect(mean).toBeLessThan(decodeTokenFlops(c, 192).total);
  });
});
