/**
 * Token accounting for the context budget (OVER_LENGTH) and the per-turn record: a text
 * estimate for policies that cannot count, and Qwen2.5-VL's visual-token rule.
 */
import type { Pixels } from '../runtime/types';

/**
 * A tokenizer-free estimate of text tokens, for policies that cannot count: BPE vocabularies
 * of Qwen-class models average about 4 characters of English/code per token; characters outside
 * ASCII (CJK, emoji, accents) take about one token each.
 */
export function estimateTextTokens(text: string): number {
  if (!text) return 0;
  let ascii = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
}

/**
 * Qwen2.5-VL's patch rule: 14-px ViT patches merged 2×2, so one visual token per 28×28 pixels,
 * after `smart_resize` (qwen_vl_utils/vision_process.py): each side rounded to a multiple of
 * IMAGE_FACTOR = 28, then scaled into [MIN_PIXELS, MAX_PIXELS] = [4·28², 16384·28²]
 * = [3 136, 12 845 056] pixels (also the Qwen2.5-VL-7B-Instruct preprocessor's min/max_pixels).
 */
export const QWEN_FACTOR = 28;
export const QWEN_MIN_PIXELS = 4 * 28 * 28;
export const QWEN_MAX_PIXELS = 16384 * 28 * 28;

/** Python's round(): halves go to the even neighbour (smart_resize relies on it). */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function qwenResize(width: number, height: number, minPixels = QWEN_MIN_PIXELS, maxPixels = QWEN_MAX_PIXELS): { width: number; height: number } {
  const F = QWEN_FACTOR;
  if (!(width > 0) || !(height > 0)) return { width: 0, height: 0 };
  let h = Math.max(F, pyRound(height / F) * F);
  let w = Math.max(F, pyRound(width / F) * F);
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(F, Math.floor(height / beta / F) * F);
    w = Math.max(F, Math.floor(width / beta / F) * F);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / F) * F;
    w = Math.ceil((width * beta) / F) * F;
  }
  return { width: w, height: h };
}

/** Visual tokens Qwen2.5-VL spends on a w×h image (the image pad tokens, without the start/end markers). */
export function qwenVisualTokens(width: number, height: number): number {
  const r = qwenResize(width, height);
  return (r.width / QWEN_FACTOR) * (r.height / QWEN_FACTOR);
}

export function pixelsVisualTokens(p: Pixels): number {
  return qwenVisualTokens(p.width, p.height);
}
