/**
 * Reading text: what is kept of Tesseract's output (tesseract.js, `blocks` output) and how an
 * image is prepared for it. The engine itself runs in the perception worker
 * (workers/perception/); this file is the framework-free part both hosts share.
 *
 * Tesseract reads printed text in crops well and invents words in the texture of whole photos
 * (measured: PLATFORM.md). So only confident words that look like words are kept: confidence
 * ≥ MIN_WORD_CONFIDENCE, at least one letter or digit, and not a lone symbol; a line survives
 * when its kept words average ≥ MIN_LINE_CONFIDENCE.
 */
import type { Pixels } from '../runtime/types';
import { resize, Resampling } from '../imaging/resample';
import { boxReduce } from './blobs';
import type { Box } from './colour';
import type { OcrLine, OcrResult, OcrWord } from './types';

export const MIN_WORD_CONFIDENCE = 60;
export const MIN_LINE_CONFIDENCE = 85;
/**
 * How the image is prepared (measured on the training signs, not on the evaluation set): grey,
 * enlarged (bilinear) so that its longer side is about TARGET_SIDE, with Tesseract's adaptive
 * (Leptonica) Otsu threshold and sparse-text segmentation (PSM 11). On 30 signs photographed
 * onto real photos the exact reading went from 1 (colour, as is, PSM 11) to 14 (this), at ≈2 s.
 */
const TARGET_SIDE = 2800;
const MAX_FACTOR = 4;
export const TESSERACT_PARAMS = { tessedit_pageseg_mode: '11', user_defined_dpi: '300', thresholding_method: '1' } as const;

/** Scale factor applied before OCR, so boxes can be mapped back (output = input × factor). */
export function ocrScale(p: Pick<Pixels, 'width' | 'height'>): number {
  const side = Math.max(p.width, p.height);
  if (side > TARGET_SIDE * 1.2) return 1 / Math.ceil(side / TARGET_SIDE);
  return Math.max(1, Math.min(MAX_FACTOR, Math.round(TARGET_SIDE / side)));
}

/** Luma (ITU-R 601) of any Pixels, as one channel. */
function luma(p: Pixels): Pixels {
  if (p.channels === 1) return p;
  const out = new Uint8Array(p.width * p.height);
  for (let i = 0, j = 0; i < out.length; i++, j += p.channels) out[i] = (p.data[j]! * 299 + p.data[j + 1]! * 587 + p.data[j + 2]! * 114 + 500) / 1000;
  return { width: p.width, height: p.height, channels: 1, data: out };
}

/** The image as Tesseract should get it: grey, enlarged (bilinear) when small, box-reduced when huge. */
export function prepareForOcr(p: Pixels): { pixels: Pixels; factor: number } {
  const f = ocrScale(p);
  if (f < 1) {
    const { pixels, scale } = boxReduce(p, Math.ceil(Math.max(p.width, p.height) * f));
    return { pixels: luma(pixels), factor: 1 / scale };
  }
  const g = luma(p);
  if (f === 1) return { pixels: g, factor: 1 };
  return { pixels: resize(g, g.width * f, g.height * f, Resampling.BILINEAR), factor: f };
}

/** Whether a recognised token is a word worth keeping (letters or digits, not stray symbols). */
export function isWordLike(text: string): boolean {
  const chars = [...text.trim()];
  const alnum = chars.filter((c) => /[\p{L}\p{N}]/u.test(c)).length;
  if (!alnum) return false;
  // Lone characters are what Tesseract finds in the texture of photos (measured on the training
  // signs: "4", "7", "E" next to the real words), far more often than on signs.
  if (chars.length === 1) return false;
  return alnum >= Math.ceil(chars.length / 2);
}

interface BBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
/** The part of tesseract.js's `data` this file reads. */
export interface TesseractPage {
  blocks?: Array<{ paragraphs?: Array<{ lines?: Array<{ words?: Array<{ text: string; confidence: number; bbox: BBox }> }> }> }> | null;
}

/** Tesseract's page → the confident lines, boxes mapped back by 1/factor. */
export function shapeOcr(page: TesseractPage, factor = 1): OcrResult {
  const lines: OcrLine[] = [];
  const back = (b: BBox): Box => [Math.round(b.x0 / factor), Math.round(b.y0 / factor), Math.round(b.x1 / factor), Math.round(b.y1 / factor)];
  for (const block of page.blocks ?? []) {
    for (const para of block.paragraphs ?? []) {
      for (const line of para.lines ?? []) {
        const words: OcrWord[] = (line.words ?? [])
          .filter((w) => w.confidence >= MIN_WORD_CONFIDENCE && isWordLike(w.text))
          .map((w) => ({ text: w.text.trim(), confidence: Math.round(w.confidence), box: back(w.bbox) }));
        if (!words.length) continue;
        const confidence = words.reduce((s, w) => s + w.confidence, 0) / words.length;
        if (confidence < MIN_LINE_CONFIDENCE) continue;
        const box: Box = [
          Math.min(...words.map((w) => w.box[0])),
          Math.min(...words.map((w) => w.box[1])),
          Math.max(...words.map((w) => w.box[2])),
          Math.max(...words.map((w) => w.box[3])),
        ];
        lines.push({ text: words.map((w) => w.text).join(' '), confidence: Math.round(confidence), box, words });
      }
    }
  }
  lines.sort((a, b) => a.box[1] - b.box[1] || a.box[0] - b.box[0]);
  return { lines, text: lines.map((l) => l.text).join('\n') };
}
