import { describe, expect, it } from 'vitest';
import { formatMs, reasoningOf } from './turnText';

describe('reasoningOf', () => {
  it('drops code blocks and the answer block', () => {
    const text = 'Let me crop.\n<code>\n```python\nprint(1)\n```\n</code>';
    expect(reasoningOf(text)).toBe('Let me crop.');
    expect(reasoningOf('It is red.\n<answer>\n\\boxed{red}\n</answer>')).toBe('It is red.');
    expect(reasoningOf('plain')).toBe('plain');
  });
  it('formats times', () => {
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(1234)).toBe('1.23 s');
  });
});
