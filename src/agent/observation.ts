/**
 * The observation the protocol feeds back after a tool call (DESIGN.md §1), exactly as upstream
 * PyVision-RL builds it: `<interpreter>Text Result:\n{stdout}\nImage Result:\n<image_clue_k><image></image_clue_k>…</interpreter>`.
 * Pure functions; part of the protocol's surface (protocol.ts re-exports them).
 */
import type { RunResult } from '../runtime/types';
import type { ContentPart } from './types';

/** Stands for an image inside observation text; message content carries the real image part. */
export const IMAGE_PLACEHOLDER = '<image>';

/** What the observation needs from a run (RunResult fits; so does a replayed record). */
export type ObservationInput = Pick<RunResult, 'output' | 'error'> & { figures: ReadonlyArray<unknown> };

/** The text result: stdout, plus the error (traceback) in feed-back mode, stripped like upstream. */
export function observationTextResult(result: ObservationInput): string {
  let text = result.output;
  if (result.error) {
    const detail = result.error.traceback.trim() || result.error.message;
    text = text.replace(/\s+$/, '');
    text = text ? `${text}\n${detail}` : detail;
  }
  return text.trim();
}

/**
 * The observation as message content: text parts, with an image part for each figure between
 * its <image_clue_k> tags. `imageIndices` are the figures' indices in Trajectory.images.
 */
export function observationContent(textResult: string, firstImageNumber: number, imageIndices: number[]): ContentPart[] {
  if (imageIndices.length === 0) {
    return [{ type: 'text', text: `<interpreter>Text Result:\n${textResult}</interpreter>` }];
  }
  const parts: ContentPart[] = [];
  let pending = `<interpreter>Text Result:\n${textResult}\nImage Result:\n`;
  imageIndices.forEach((image, k) => {
    const n = firstImageNumber + k;
    parts.push({ type: 'text', text: `${pending}<image_clue_${n}>` });
    parts.push({ type: 'image', image });
    pending = `</image_clue_${n}>`;
  });
  parts.push({ type: 'text', text: `${pending}</interpreter>` });
  return parts;
}

/** Joins content into text, an image part becoming `<image>` (the observation's exact text). */
export function contentToText(content: ContentPart[]): string {
  return content.map((p) => (p.type === 'text' ? p.text : IMAGE_PLACEHOLDER)).join('');
}

/**
 * Message content from an observation's exact text: its last `imageIndices.length` `<image>`
 * placeholders become the image parts (figures follow the stdout, so a literal "<image>" printed
 * by the code is never mistaken for one). Inverse of contentToText for observations.
 */
export function contentFromObservationText(text: string, imageIndices: number[]): ContentPart[] {
  const cuts: number[] = [];
  let from = text.length;
  for (let k = 0; k < imageIndices.length; k++) {
    const i = from < 0 ? -1 : text.lastIndexOf(IMAGE_PLACEHOLDER, from);
    if (i < 0) break;
    cuts.unshift(i);
    from = i - 1;
  }
  if (cuts.length < imageIndices.length) return [{ type: 'text', text }];
  const parts: ContentPart[] = [];
  let pos = 0;
  cuts.forEach((cut, k) => {
    if (cut > pos) parts.push({ type: 'text', text: text.slice(pos, cut) });
    parts.push({ type: 'image', image: imageIndices[k]! });
    pos = cut + IMAGE_PLACEHOLDER.length;
  });
  if (pos < text.length) parts.push({ type: 'text', text: text.slice(pos) });
  return parts;
}

/**
 * The exact observation text:
 * `<interpreter>Text Result:\n{stdout}\nImage Result:\n<image_clue_k><image></image_clue_k>…</interpreter>`,
 * the Image Result part only when figures were shown; k starts at `firstImageNumber` (the
 * number of images already in the context: the input image is image_clue_0).
 */
export function formatObservation(result: ObservationInput, firstImageNumber: number): string {
  const indices = result.figures.map((_, k) => k);
  return contentToText(observationContent(observationTextResult(result), firstImageNumber, indices));
}

/** Fed back in feed-back mode when a turn has neither code nor answer (after PyVision-RL's env). */
export function formatErrorObservation(message: string): string {
  return `<interpreter>Error: ${message}</interpreter>`;
}

/** Recovers the Text Result from an observation's text (for imports); null when it has none. */
export function parseObservationText(text: string): string | null {
  const m = /^<interpreter>Text Result:\n([\s\S]*?)(?:\nImage Result:\n[\s\S]*)?<\/interpreter>$/.exec(text);
  return m ? m[1]! : null;
}
