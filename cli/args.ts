/** Numeric command-line flags, checked the same way in every CLI (a clear error names the flag). */

export interface NumberRule {
  /** Require an integer. */
  int?: boolean;
  /** Smallest allowed value (default 0). */
  min?: number;
}

/** `--name`'s value as a number, or undefined when the flag was not given. */
export function optionalNumber(name: string, v: string | undefined, { int = false, min = 0 }: NumberRule = {}): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (int && !Number.isInteger(x)) || x < min) {
    throw new Error(`--${name} must be ${int ? 'an integer' : 'a number'} ≥ ${min}, got '${v}'`);
  }
  return x;
}

/** `--name`'s value as a number, or `def` when the flag was not given. */
export function numberOr(name: string, v: string | undefined, def: number, rule: NumberRule = {}): number {
  return optionalNumber(name, v, rule) ?? def;
}
