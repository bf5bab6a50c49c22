/**
 * From token streams with one `<image>` placeholder per image to the model's batches, where each
 * image takes K consecutive slots. Pure CPU code shared by training (packBatch) and generation
 * (expandImages).
 */
import type { Pixels } from '../runtime/types';
import type { TrainBatch } from './transformer';

/** A training example: ids with one `<image>` id per image, a 0/1 mask aligned with ids. */
export interface Example {
  ids: number[];
  lossMask: number[];
  images: Pixels[];
}

export interface Expanded {
  ids: number[];
  lossMask: number[];
  /** Index (in the expanded ids) of the first slot of each image. */
  imageStarts: number[];
}

/** Expands each `<image>` id into K slots (loss mask 0 there). Throws when counts disagree. */
export function expandImages(ids: readonly number[], lossMask: readonly number[] | null, imageCount: number, imageId: number, K: number): Expanded {
  const out: Expanded = { ids: [], lossMask: [], imageStarts: [] };
  ids.forEach((id, i) => {
    if (id === imageId) {
      out.imageStarts.push(out.ids.length);
      for (let k = 0; k < K; k++) {
        out.ids.push(imageId);
        out.lossMask.push(0);
      }
    } else {
      out.ids.push(id);
      out.lossMask.push(lossMask ? lossMask[i]! : 0);
    }
  });
  if (out.imageStarts.length !== imageCount) {
    throw new Error(`the token stream has ${out.imageStarts.length} <image> placeholders but ${imageCount} images were given`);
  }
  return out;
}

export interface PackOptions {
  seqLen: number;
  imageId: number;
  padId: number;
  /** Visual tokens per image. */
  K: number;
}

/**
 * Right-pads (or truncates) each example to seqLen positions. A truncated example keeps only the
 * images that fit entirely; its cut-off tail simply leaves the loss.
 */
export function packBatch(examples: Example[], opts: PackOptions): TrainBatch & { truncated: number } {
  const { seqLen: T, K } = opts;
  const B = examples.length;
  const ids = new Int32Array(B * T).fill(opts.padId);
  const lossMask = new Uint8Array(B * T);
  const images: Pixels[] = [];
  const imagePositions: number[] = [];
  let truncated = 0;
  examples.forEach((ex, b) => {
    if (ex.ids.length !== ex.lossMask.length) throw new Error(`example ${b}: ids and lossMask differ in length`);
    const e = expandImages(ex.ids, ex.lossMask, ex.images.length, opts.imageId, K);
    let n = e.ids.length;
    if (n > T) {
      truncated++;
      n = T;
      // An image cut in half would leave <image> slots without visual tokens: cut before it.
      for (const s of e.imageStarts) if (s < T && s + K > T) n = s;
    }
    for (let t = 0; t < n; t++) {
      ids[b * T + t] = e.ids[t]!;
      lossMask[b * T + t] = e.lossMask[t] ? 1 : 0;
    }
    e.imageStarts.forEach((s, i) => {
      if (s + K <= n) {
        images.push(ex.images[i]!);
        imagePositions.push(b * T + s);
      }
    });
  });
  return { batchSize: B, seqLen: T, ids, lossMask, images, imagePositions, truncated };
}
