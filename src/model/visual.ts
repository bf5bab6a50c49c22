/**
 * Image → K visual tokens.
 *
 * 1. CPU: convert to RGB and resize to S×S with the project's Pillow-exact bicubic (src/imaging,
 *    the same resize Python's PIL sees), scale to [-1, 1], and cut into p×p patches.
 * 2. Tensors: a hierarchy of "convs with kernel = stride" done as matmuls: stage 0 embeds each
 *    patch (Linear p·p·3 → c0, GELU), every later stage merges 2×2 neighbours (Linear 4·c → c',
 *    GELU), a last 2×2 merge projects to dModel; a learned position embedding per grid cell (the
 *    2-D position) is added. Output: g×g = K tokens per image, in raster order.
 *
 * Why matmuls instead of tf.conv2d: the WASM backend has no Conv2DBackpropFilter, so a conv
 * encoder could not be trained there. The patches are laid out on the CPU so that every 2×2
 * merge is a plain reshape: within each final grid cell, stage-0 patches come in Z (Morton)
 * order, so each run of 4 consecutive rows is one 2×2 quad at every level.
 */
import * as tf from '@tensorflow/tfjs';
import { convert } from '../imaging/pixels';
import { resize, Resampling } from '../imaging/resample';
import type { Pixels } from '../runtime/types';
import { type ModelConfig, visualGrid, visualTokens } from './config';
import { gelu, linear } from './ops';

/** Resized, normalised images are cached per Pixels object (figures are re-shown every turn). */
const preprocessed = new WeakMap<Pixels, Map<number, Float32Array>>();

/** S×S×3 floats in [-1, 1] (HWC), Pillow-exact bicubic resize of the RGB image. */
export function preprocessImage(image: Pixels, side: number): Float32Array {
  let bySide = preprocessed.get(image);
  const hit = bySide?.get(side);
  if (hit) return hit;
  if (image.width < 1 || image.height < 1) throw new Error(`cannot encode an empty image (${image.width}×${image.height})`);
  const rgb = image.channels === 3 ? image : convert(image, 3);
  const small = rgb.width === side && rgb.height === side ? rgb : resize(rgb, side, side, Resampling.BICUBIC);
  const out = new Float32Array(side * side * 3);
  for (let i = 0; i < out.length; i++) out[i] = small.data[i]! / 127.5 - 1;
  if (!bySide) preprocessed.set(image, (bySide = new Map()));
  bySide.set(side, out);
  return out;
}

/** (y, x) of the i-th patch inside a 2^levels × 2^levels cell, Z order. */
function mortonYX(i: number, levels: number): [number, number] {
  let y = 0;
  let x = 0;
  for (let l = 0; l < levels; l++) {
    x |= ((i >> (2 * l)) & 1) << l;
    y |= ((i >> (2 * l + 1)) & 1) << l;
  }
  return [y, x];
}

/**
 * Patch rows for a list of images: [n · g² · 4^levels, p·p·3], grouped per image, per final grid
 * cell (raster order), then Z order within the cell; levels = channels.length.
 */
export function patchify(images: Pixels[], c: ModelConfig): Float32Array {
  const { imageSide: S, patchSize: p, channels } = c.visual;
  const levels = channels.length;
  const g = visualGrid(c);
  const perCell = 4 ** levels;
  const cellPatches = 2 ** levels;
  const rowLen = p * p * 3;
  const out = new Float32Array(images.length * g * g * perCell * rowLen);
  let o = 0;
  for (const image of images) {
    const px = preprocessImage(image, S);
    for (let gy = 0; gy < g; gy++) {
      for (let gx = 0; gx < g; gx++) {
        for (let i = 0; i < perCell; i++) {
          const [my, mx] = mortonYX(i, levels);
          const y0 = (gy * cellPatches + my) * p;
          const x0 = (gx * cellPatches + mx) * p;
          for (let dy = 0; dy < p; dy++) {
            const src = ((y0 + dy) * S + x0) * 3;
            out.set(px.subarray(src, src + p * 3), o);
            o += p * 3;
          }
        }
      }
    }
  }
  return out;
}

/** Parameter shapes of the encoder, by name (the model owns the variables). */
export function visualParamShapes(c: ModelConfig): Array<[string, number[]]> {
  const { patchSize: p, channels } = c.visual;
  const shapes: Array<[string, number[]]> = [];
  let inWidth = p * p * 3;
  channels.forEach((w, s) => {
    shapes.push([`vis/s${s}/w`, [inWidth, w]], [`vis/s${s}/b`, [w]]);
    inWidth = 4 * w;
  });
  shapes.push(['vis/out/w', [inWidth, c.dModel]], ['vis/out/b', [c.dModel]], ['vis/pos', [visualTokens(c), c.dModel]]);
  return shapes;
}

/** [n·K, dModel] visual tokens for `images` (n ≥ 1), image after image, each in raster order. */
export function encodeImages(images: Pixels[], c: ModelConfig, param: (name: string) => tf.Tensor): tf.Tensor2D {
  const { patchSize: p, channels } = c.visual;
  const rows = patchify(images, c);
  let x = tf.tensor2d(rows, [rows.length / (p * p * 3), p * p * 3]);
  channels.forEach((w, s) => {
    if (s > 0) x = tf.reshape(x, [-1, 4 * x.shape[1]]);
    x = gelu(linear(x, param(`vis/s${s}/w`) as tf.Tensor2D, param(`vis/s${s}/b`) as tf.Tensor1D)) as tf.Tensor2D;
  });
  x = tf.reshape(x, [-1, 4 * x.shape[1]]);
  const tokens = linear(x, param('vis/out/w') as tf.Tensor2D, param('vis/out/b') as tf.Tensor1D);
  const K = visualTokens(c);
  const withPos = tf.add(tf.reshape(tokens, [images.length, K, c.dModel]), param('vis/pos'));
  return tf.reshape(withPos, [images.length * K, c.dModel]) as tf.Tensor2D;
}
