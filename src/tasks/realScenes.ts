/**
 * Scenes and clips made from real photographs, for the tiny policy's training data: photo
 * cut-outs (transparent-background photos of animals, fruit, vehicles…) pasted onto photo
 * backgrounds, and short videos in which cut-outs cross a photo background during chosen time
 * windows — what a person's video of "a dog walking past" looks like to a detector that samples
 * frames. Everything is drawn in code from the media (no files written), deterministically.
 */
import { convert } from '../imaging/pixels';
import { resize, Resampling } from '../imaging/resample';
import type { FrameProvider, Pixels } from '../runtime/types';
import type { Rng } from './rng';

/** An RGBA cut-out and what it shows. */
export interface Cutout {
  pixels: Pixels;
  /** The object word (COCO label when it has one). */
  name: string;
}

/** RGB view of any Pixels (the same object when it is RGB already). */
export function toRgb(p: Pixels): Pixels {
  return p.channels === 3 ? p : convert(p, 3);
}

/** The background resized (Pillow bilinear) to width w, aspect kept, as RGB. */
export function fitWidth(p: Pixels, w: number): Pixels {
  const rgb = toRgb(p);
  const h = Math.max(1, Math.round((rgb.height * w) / rgb.width));
  return rgb.width === w ? rgb : resize(rgb, w, h, Resampling.BILINEAR);
}

/** Alpha-blends an RGBA cut-out (scaled to `side` px on its long side) onto RGB `dst` at (x, y), in place. */
export function pasteCutout(dst: Pixels, cut: Pixels, x: number, y: number, side: number): [number, number, number, number] {
  const k = side / Math.max(cut.width, cut.height);
  const w = Math.max(1, Math.round(cut.width * k));
  const h = Math.max(1, Math.round(cut.height * k));
  const src = resize(cut.channels === 4 ? cut : { ...toRgb(cut) }, w, h, Resampling.BILINEAR);
  const ch = src.channels;
  for (let yy = 0; yy < h; yy++) {
    const dy = y + yy;
    if (dy < 0 || dy >= dst.height) continue;
    for (let xx = 0; xx < w; xx++) {
      const dx = x + xx;
      if (dx < 0 || dx >= dst.width) continue;
      const si = (yy * w + xx) * ch;
      const a = ch === 4 ? src.data[si + 3]! / 255 : 1;
      if (a === 0) continue;
      const di = (dy * dst.width + dx) * 3;
      for (let c = 0; c < 3; c++) dst.data[di + c] = Math.round(src.data[si + c]! * a + dst.data[di + c]! * (1 - a));
    }
  }
  return [Math.max(0, x), Math.max(0, y), Math.min(dst.width, x + w), Math.min(dst.height, y + h)];
}

export interface SceneObject {
  name: string;
  box: [number, number, number, number];
}

/**
 * A photo background (resized to `width`) with the cut-outs pasted at random places and sizes
 * (a fifth to a half of the shorter side), later ones over earlier ones.
 */
export function composeScene(background: Pixels, cutouts: Cutout[], rng: Rng, width = 960): { image: Pixels; objects: SceneObject[] } {
  const bg = fitWidth(background, width);
  const image: Pixels = { ...bg, data: bg.data.slice() };
  const short = Math.min(image.width, image.height);
  const objects = cutouts.map((c) => {
    const side = Math.round(short * rng.float(0.2, 0.5));
    const x = rng.int(0, Math.max(0, image.width - side));
    const y = rng.int(0, Math.max(0, image.height - side));
    return { name: c.name, box: pasteCutout(image, c.pixels, x, y, side) };
  });
  return { image, objects };
}

/** One cut-out crossing the clip from one side to the other between two frames. */
export interface ClipActor {
  cutout: Cutout;
  /** First and last frame it is on screen. */
  frames: [number, number];
  /** Vertical centre (0…1 of the height) and size (0…1 of the height). */
  y: number;
  size: number;
  /** +1 left → right, -1 right → left. */
  dir: 1 | -1;
}

export interface PhotoClip extends FrameProvider {
  actors: ClipActor[];
}

/**
 * A clip of `frameCount` frames at `fps`: the background photo (resized to width × height,
 * cropped to the aspect) with each actor moving across while on screen. Frames are drawn on
 * demand, so only the frames Python asks for are ever made.
 */
export function photoClip(background: Pixels, actors: ClipActor[], opts: { width: number; height: number; frameCount: number; fps: number }): PhotoClip {
  const { width, height, frameCount, fps } = opts;
  const fitted = fitWidth(background, width);
  const bg: Pixels = { width, height, channels: 3, data: new Uint8Array(width * height * 3) };
  const top = Math.max(0, Math.floor((fitted.height - height) / 2));
  for (let y = 0; y < height; y++) bg.data.set(fitted.data.subarray(((Math.min(fitted.height - 1, y + top)) * width) * 3, ((Math.min(fitted.height - 1, y + top)) * width + width) * 3), y * width * 3);
  return {
    meta: { width, height, frameCount, fps },
    actors,
    async getFrame(i: number): Promise<Pixels> {
      if (!Number.isInteger(i) || i < 0 || i >= frameCount) throw new Error(`frame ${i} is out of range`);
      const frame: Pixels = { ...bg, data: bg.data.slice() };
      for (const a of actors) {
        const [f0, f1] = a.frames;
        if (i < f0 || i > f1) continue;
        const side = Math.round(height * a.size);
        const t = f1 > f0 ? (i - f0) / (f1 - f0) : 0.5;
        // From just inside one edge to just inside the other, so the whole object is visible mid-way.
        const x0 = -side * 0.3;
        const x1 = width - side * 0.7;
        const x = Math.round(a.dir > 0 ? x0 + t * (x1 - x0) : x1 - t * (x1 - x0));
        pasteCutout(frame, a.cutout.pixels, x, Math.round(a.y * height - side / 2), side);
      }
      return frame;
    },
  };
}
