/** Splitting a turn's raw text for display: the reasoning (without code blocks and the answer block). */
import { findCodeBlocks } from '../../src/agent/protocol';

export function reasoningOf(text: string): string {
  let out = '';
  let at = 0;
  for (const span of findCodeBlocks(text)) {
    out += text.slice(at, span.start);
    at = span.end;
  }
  out += text.slice(at);
  return out.replace(/<answer>[\s\S]*?(<\/answer>|$)/g, '').replace(/\n{3,}/g, '\n\n').trim();
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
