import { describe, expect, it } from 'vitest';
import { numberOr, optionalNumber } from './args';

describe('numeric CLI flags', () => {
  it('parses given values and leaves absent ones to the caller', () => {
    expect(optionalNumber('lr', '3e-4')).toBe(3e-4);
    expect(optionalNumber('lr', undefined)).toBeUndefined();
    expect(numberOr('steps', undefined, 60, { int: true })).toBe(60);
    expect(numberOr('steps', '12', 60, { int: true })).toBe(12);
  });

  it('names the flag when a value breaks its rule', () => {
    expect(() => optionalNumber('steps', '1.5', { int: true })).toThrow("--steps must be an integer ≥ 0, got '1.5'");
    expect(() => optionalNumber('group', '1', { int: true, min: 2 })).toThrow(/--group must be an integer ≥ 2/);
    expect(() => optionalNumber('lr', 'fast')).toThrow(/--lr must be a number/);
    expect(() => optionalNumber('lr', '-1')).toThrow(/≥ 0/);
    expect(() => numberOr('tasks', '', 10)).toThrow(/--tasks must be a number/);
  });
});
