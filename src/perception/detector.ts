/**
 * Object detection with class names: CenterNet-MobileNetV3 (COCO-80), the TF.js graph model that
 * ships inside the npm package @vladmandic/human (`models/centernet.json` + `.bin`), run directly
 * with the project's own TF.js (Human's runtime would bundle a second TF.js and fetch from a CDN).
 *
 * - Input: the image stretched to 512×512 RGB in 0…255 (what the model was converted with; the
 *   model's own head decodes the heat map into 100 boxes `[x0, y0, x1, y1, score, class]` in
 *   input pixels).
 * - A "closer look" (`tiles: true`) also runs 2×2 overlapping tiles of the image at the same input
 *   size, so objects a tenth of the side or smaller get four times the pixels; boxes from the
 *   full view and the tiles are merged by class-aware non-maximum suppression, and a tile box cut
 *   by the tile's edge is dropped when the full view saw the whole object.
 * - Scores are the model's; `minScore` filters. The model calls some cats dogs (measured): the
 *   printout gives the runner-up class when its box overlaps with a close score.
 */
import * as tf from '@tensorflow/tfjs';
import type { Pixels } from '../runtime/types';
import { boxReduce } from './blobs';
import type { Box } from './colour';
import { COCO_LABELS, type CocoLabel } from './vocabulary';

export interface Detection {
  label: CocoLabel;
  score: number;
  /** Input-image pixels, [x0, y0, x1, y1). */
  box: Box;
}

export interface DetectOptions {
  minScore?: number;
  /** Also look at 2×2 overlapping tiles (small objects), ≈ 5× the time. */
  tiles?: boolean;
  /** Keep at most this many detections (highest score first). */
  maxDetections?: number;
}

/** The model files as loaded from the package (JSON object and the weights' bytes). */
export interface GraphModelFiles {
  json: { modelTopology: unknown; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
  weights: ArrayBuffer;
}

const INPUT = 512;
const MAX_SIDE = 1280;
const OUTPUT_NODE = 'tower_0/detections';

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** Class-aware greedy NMS; also drops a box mostly inside a higher-scored one of its class. */
export function suppress(dets: Detection[], iouThreshold = 0.45): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    const area = (d.box[2] - d.box[0]) * (d.box[3] - d.box[1]);
    const clash = kept.some((k) => {
      if (k.label !== d.label) return false;
      if (iou(k.box, d.box) > iouThreshold) return true;
      const ix = Math.max(0, Math.min(k.box[2], d.box[2]) - Math.max(k.box[0], d.box[0]));
      const iy = Math.max(0, Math.min(k.box[3], d.box[3]) - Math.max(k.box[1], d.box[1]));
      return area > 0 && (ix * iy) / area > 0.8;
    });
    if (!clash) kept.push(d);
  }
  return kept;
}

export class ObjectDetector {
  private constructor(private readonly model: tf.GraphModel) {}

  static async load(files: GraphModelFiles): Promise<ObjectDetector> {
    const manifest = files.json.weightsManifest;
    if (!Array.isArray(manifest) || !manifest.length) throw new Error('detector model JSON has no weightsManifest');
    const model = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: files.json.modelTopology as tf.io.ModelJSON['modelTopology'],
        weightSpecs: manifest.flatMap((g) => g.weights),
        weightData: files.weights,
      }),
    );
    return new ObjectDetector(model);
  }

  /** One pass over a region of the image; boxes in image coordinates. */
  private async pass(p: Pixels, region: Box, minScore: number): Promise<Detection[]> {
    const [x0, y0, x1, y1] = region;
    const out = tf.tidy(() => {
      const ch = p.channels;
      let img = tf.tensor3d(p.data, [p.height, p.width, ch], 'int32') as tf.Tensor3D;
      if (ch === 1) img = tf.tile(img, [1, 1, 3]);
      else if (ch === 4) img = tf.slice(img, [0, 0, 0], [-1, -1, 3]);
      const crop = tf.slice(img, [y0, x0, 0], [y1 - y0, x1 - x0, 3]);
      const input = tf.expandDims(tf.image.resizeBilinear(tf.cast(crop, 'float32') as tf.Tensor3D, [INPUT, INPUT]), 0);
      return this.model.execute(input, OUTPUT_NODE) as tf.Tensor;
    });
    const rows = (await out.data()) as Float32Array;
    out.dispose();
    const sx = (x1 - x0) / INPUT;
    const sy = (y1 - y0) / INPUT;
    const dets: Detection[] = [];
    for (let i = 0; i + 5 < rows.length; i += 6) {
      const score = rows[i + 4]!;
      const cls = rows[i + 5]!;
      if (!(score >= minScore) || !Number.isInteger(cls) || !COCO_LABELS[cls]) continue;
      const box: Box = [
        Math.max(x0, Math.round(x0 + rows[i]! * sx)),
        Math.max(y0, Math.round(y0 + rows[i + 1]! * sy)),
        Math.min(x1, Math.round(x0 + rows[i + 2]! * sx)),
        Math.min(y1, Math.round(y0 + rows[i + 3]! * sy)),
      ];
      if (box[2] - box[0] >= 2 && box[3] - box[1] >= 2) dets.push({ label: COCO_LABELS[cls]!, score: Math.round(score * 100) / 100, box });
    }
    return dets;
  }

  async detect(input: Pixels, opts: DetectOptions = {}): Promise<Detection[]> {
    const minScore = opts.minScore ?? 0.3;
    // The model sees 512 px; more than 2.5× that (a tile is 0.6 of the side) only costs time.
    const { pixels: p, scale } = boxReduce(input, MAX_SIDE);
    const full: Box = [0, 0, p.width, p.height];
    let dets = await this.pass(p, full, minScore);
    if (opts.tiles) {
      const tw = Math.round(p.width * 0.6);
      const th = Math.round(p.height * 0.6);
      for (const [tx, ty] of [[0, 0], [p.width - tw, 0], [0, p.height - th], [p.width - tw, p.height - th]] as const) {
        const tile: Box = [tx, ty, tx + tw, ty + th];
        for (const d of await this.pass(p, tile, minScore)) {
          // A box touching an inner tile edge is a cut-off object unless nothing saw it whole.
          const cut = (d.box[0] <= tx + 1 && tx > 0) || (d.box[1] <= ty + 1 && ty > 0) || (d.box[2] >= tx + tw - 1 && tx + tw < p.width) || (d.box[3] >= ty + th - 1 && ty + th < p.height);
          if (cut && dets.some((f) => f.label === d.label && iou(f.box, d.box) > 0.1)) continue;
          dets.push(d);
        }
      }
    }
    dets = suppress(dets).slice(0, opts.maxDetections ?? 50);
    if (scale === 1) return dets;
    return dets.map((d) => ({ ...d, box: d.box.map((v, i) => Math.min(v * scale, i % 2 ? input.height : input.width)) as Box }));
  }

  dispose(): void {
    this.model.dispose();
  }
}
