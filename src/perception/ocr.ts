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
import { boxReduce } from './blobs';
import type { Box } from './colour';
import type { OcrLine, OcrResult, OcrWord } from './types';

export const MIN_WORD_CONFIDENCE = 55;
export const MIN_LINE_CONFIDENCE = 65;
/** Tesseract wants letters ~20–40 px tall: small crops are enlarged, huge photos reduced. */
const MIN_SIDE = 600;
const MAX_SIDE = 2400;

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

/** Whether a recognised token is a word worth keeping (letters or digits, not stray symbols). */
export function isWordLike(text: string): boolean {
  const chars = [...text.trim()];
  const alnum = chars.filter((c) => /[\p{L}\p{N}]/u.test(c)).length;
  if (!alnum) return false;
  // A single character is only kept when it is a digit ("5") or a capital ("A" on a sign).
  if (chars.length === 1) return /[\p{N}\p{Lu}]/u.test(chars[0]!);
  return alnum >= Math.ceil(chars.length / 2);
}

/** Scale factor applied before OCR, so boxes can be mapped back (output = input × factor). */
export function ocrScale(p: Pick<Pixels, 'width' | 'height'>): number {
  const side = Math.max(p.width, p.height);
  if (side < MIN_SIDE) return Math.min(4, Math.ceil(MIN_SIDE / side));
  if (side > MAX_SIDE) return 1 / Math.ceil(side / MAX_SIDE);
  return 1;
}

/** The image as Tesseract should get it: enlarged (nearest) when small, box-reduced when huge. */
export function prepareForOcr(p: Pixels): { pixels: Pixels; factor: number } {
  const f = ocrScale(p);
  if (f < 1) {
    const { pixels, scale } = boxReduce(p, Math.ceil(Math.max(p.width, p.height) * f));
    return { pixels, factor: 1 / scale };
  }
  if (f === 1) return { pixels: p, factor: 1 };
  const w = p.width * f;
  const h = p.height * f;
  const ch = p.channels;
  const out = new Uint8Array(w * h * ch);
  for (let y = 0; y < h; y++) {
    const sy = Math.floor(y / f);
    for (let x = 0; x < w; x++) {
      const si = (sy * p.width + Math.floor(x / f)) * ch;
      out.set(p.data.subarray(si, si + ch), (y * w + x) * ch);
    }
  }
  return { pixels: { width: w, height: h, channels: ch, data: out }, factor: f };
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
