/**
 * Copy-loop detection for the turn grammar (grammar.ts): whether a text ends in a unit written
 * twice in a row. Pure and allocation-free, as it runs for every byte of every candidate token.
 */
/** Text repeats looked for: units of MIN_REPEAT…MAX_REPEAT bytes, holding a letter. */
const MIN_REPEAT = 3;
const MAX_REPEAT = 24;
/** The text a caller must keep to find every repeat: two of the longest units. */
export const REPEAT_TAIL = 2 * MAX_REPEAT;
const isLetterByte = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/**
 * Whether `tail` ends in a unit written twice in a row (`USEUM` `USEUM`): the copy loop a small
 * model falls into when the text to copy repeats letters ("MUSEUM ISLAND" became
 * `MUSEUMUSEUMUSEUM…`). Only units of MIN_REPEAT or more bytes that hold a letter count, so
 * "1010", "100100" and "aa" stay possible. Cheap: a unit length is compared only when the
 * newest byte matches the byte one unit back.
 */
export function endsInRepeat(tail: string): boolean {
  const n = tail.length;
  for (let L = MIN_REPEAT; L <= MAX_REPEAT && 2 * L <= n; L++) {
    if (tail.charCodeAt(n - 1) !== tail.charCodeAt(n - 1 - L)) continue;
    let same = true;
    let letter = false;
    for (let i = 1; i <= L && same; i++) {
      const c = tail.charCodeAt(n - i);
      same = c === tail.charCodeAt(n - i - L);
      letter ||= isLetterByte(c);
    }
    if (same && letter) return true;
  }
  return false;
}
