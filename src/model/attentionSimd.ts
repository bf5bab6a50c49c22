/**
 * The two inner loops of one query's attention over a cached head, as a tiny WebAssembly module
 * with 128-bit SIMD (four float32 lanes), assembled here from its instructions (no binary blob,
 * no toolchain): used by hostKvCache.ts, which keeps its keys and values in this module's memory.
 *
 * Why: decoding at batch 64 spent half its time in these loops as JS (≈ 0.5 GMAC/s: V8 does not
 * vectorise), and the WASM backend's own batched matmul is a scalar loop too. Here:
 *   dots(q, kT, cap, dh, n, out):  out[j] = Σ_c q[c] · kT[c·cap + j]      for j < n
 *   wsum(p, vT, cap, dh, n, out):  out[c] = Σ_j p[j] · vT[c·cap + j]      for c < dh
 * over a head's transposed keys / values [dh, cap] (byte addresses; n a multiple of 4, the lanes;
 * p zero beyond the real slots). Sums are float32, four partial sums per lane (as XNNPACK's).
 * Returns null where WebAssembly SIMD is unavailable; the caller keeps its JS loops then.
 */

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const str = (s: string) => vec([...s].map((ch) => [ch.charCodeAt(0)]));

// Instructions (the WebAssembly 2.0 binary format).
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
/** i32.const with its signed LEB128 immediate (non-negative values here). */
const i32 = (n: number) => {
  const out = uleb(n);
  if (out[out.length - 1]! & 0x40) out.push(0); // bit 6 of the last byte is the sign in SLEB128
  if (out.length > 1 && out[out.length - 1] === 0) out[out.length - 2]! |= 0x80;
  return [0x41, ...out];
};
const add = [0x6a];
const mul = [0x6c];
const geU = [0x4f];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const memarg = [4, 0]; // align 2^4 (a hint only), offset 0
const v128Load = simd(0x00, ...memarg);
const v128Store = simd(0x0b, ...memarg);
const zero = simd(0x0c, ...new Array<number>(16).fill(0));
const f32Load = [0x2a, 2, 0];
const f32Store = [0x38, 2, 0];
const f32Add = [0x92];
const splat = simd(0x13);
const lane = (k: number) => simd(0x1f, k);
const f32x4Add = simd(0xe4);
const f32x4Mul = simd(0xe6);
/** for (; i < limit; i += step) body — i and limit are locals. */
const loop = (i: number, limit: number, step: number, body: number[]) => [
  0x02, 0x40, 0x03, 0x40, ...get(i), ...get(limit), ...geU, 0x0d, 1, ...body, ...get(i), ...i32(step), ...add, ...set(i), 0x0c, 0, 0x0b, 0x0b,
];

// Parameters 0–5: (in, mat, cap, dh, n, out); byte addresses; extra locals from 6.
const [IN, MAT, CAP, DH, N, OUT] = [0, 1, 2, 3, 4, 5];

/** dots: locals 6 j (bytes), 7 c, 8 row (bytes), 9 nb (n in bytes), 10 capb (cap in bytes); 11 qv (v128). */
const dots = [
  ...get(N), ...i32(4), ...mul, ...set(9),
  ...get(CAP), ...i32(4), ...mul, ...set(10),
  ...i32(0), ...set(6),
  ...loop(6, 9, 16, [...get(OUT), ...get(6), ...add, ...zero, ...v128Store]),
  ...i32(0), ...set(7),
  ...get(MAT), ...set(8),
  ...loop(7, DH, 1, [
    ...get(IN), ...get(7), ...i32(4), ...mul, ...add, ...f32Load, ...splat, ...set(11),
    ...i32(0), ...set(6),
    ...loop(6, 9, 16, [
      ...get(OUT), ...get(6), ...add,
      ...get(OUT), ...get(6), ...add, ...v128Load,
      ...get(11), ...get(8), ...get(6), ...add, ...v128Load, ...f32x4Mul, ...f32x4Add,
      ...v128Store,
    ]),
    ...get(8), ...get(10), ...add, ...set(8),
  ]),
];

/** wsum: locals 6 j (bytes), 7 c, 8 row (bytes), 9 nb, 10 capb; 11 acc (v128). */
const wsum = [
  ...get(N), ...i32(4), ...mul, ...set(9),
  ...get(CAP), ...i32(4), ...mul, ...set(10),
  ...i32(0), ...set(7),
  ...get(MAT), ...set(8),
  ...loop(7, DH, 1, [
    ...zero, ...set(11),
    ...i32(0), ...set(6),
    ...loop(6, 9, 16, [
      ...get(11),
      ...get(IN), ...get(6), ...add, ...v128Load,
      ...get(8), ...get(6), ...add, ...v128Load,
      ...f32x4Mul, ...f32x4Add, ...set(11),
    ]),
    ...get(OUT), ...get(7), ...i32(4), ...mul, ...add,
    ...get(11), ...lane(0), ...get(11), ...lane(1), ...f32Add, ...get(11), ...lane(2), ...get(11), ...lane(3), ...f32Add, ...f32Add,
    ...f32Store,
    ...get(8), ...get(10), ...add, ...set(8),
  ]),
];

/**
 * softmax(s, bias, -, -, n, zOut): s[j] ← exp(s[j] + bias[j] − max) for j < n (bias 0 for a real
 * slot, −∞ for a hole or padding: exactly 0 there), and the sum of them stored as f32 at zOut.
 * exp(x) for x ≤ 0: x = k·ln 2 + r, |r| ≤ ln 2 / 2 (ln 2 in two parts), e^r by its Taylor
 * polynomial of degree 6 (relative error < 2e-7), 2^k built in the exponent bits.
 * Locals: 6 j (bytes), 9 nb; v128 11 running max / sum, 12 x, 13 k, 14 r, 15 max.
 */
const f32c = (v: number) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];
const splatC = (v: number) => [...f32c(v), ...splat];
const f32Max = [0x97];
const f32x4Sub = simd(0xe5);
const f32x4Max = simd(0xe9);
const f32x4Gt = simd(0x44);
const f32x4Nearest = simd(0x6a);
const i32x4TruncSat = simd(0xf8);
const i32x4Splat = simd(0x11);
const i32x4Add = simd(0xae);
const i32x4Shl = simd(0xab);
const v128And = simd(0x4e);
const hreduce = (v: number, op: number[]) => [...get(v), ...lane(0), ...get(v), ...lane(1), ...op, ...get(v), ...lane(2), ...op, ...get(v), ...lane(3), ...op];
const taylor = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1];
const expX = [
  ...get(12), ...splatC(Math.LOG2E), ...f32x4Mul, ...f32x4Nearest, ...set(13),
  ...get(12), ...get(13), ...splatC(0.693145751953125), ...f32x4Mul, ...f32x4Sub,
  ...get(13), ...splatC(1.428606765330187e-6), ...f32x4Mul, ...f32x4Sub, ...set(14),
  ...splatC(taylor[0]!),
  ...taylor.slice(1).flatMap((c) => [...get(14), ...f32x4Mul, ...splatC(c), ...f32x4Add]),
  ...get(13), ...i32x4TruncSat, ...i32(127), ...i32x4Splat, ...i32x4Add, ...i32(23), ...i32x4Shl,
  ...f32x4Mul,
  ...get(12), ...splatC(-87), ...f32x4Gt, ...v128And,
];
const softmax = [
  ...get(N), ...i32(4), ...mul, ...set(9),
  ...splatC(-Infinity), ...set(11),
  ...i32(0), ...set(6),
  ...loop(6, 9, 16, [
    ...get(IN), ...get(6), ...add,
    ...get(IN), ...get(6), ...add, ...v128Load, ...get(MAT), ...get(6), ...add, ...v128Load, ...f32x4Add, ...set(12),
    ...get(12), ...v128Store,
    ...get(11), ...get(12), ...f32x4Max, ...set(11),
  ]),
  ...hreduce(11, f32Max), ...splat, ...set(15),
  ...zero, ...set(11),
  ...i32(0), ...set(6),
  ...loop(6, 9, 16, [
    ...get(IN), ...get(6), ...add, ...v128Load, ...get(15), ...f32x4Sub, ...set(12),
    ...get(IN), ...get(6), ...add, ...expX, ...set(13),
    ...get(13), ...v128Store,
    ...get(11), ...get(13), ...f32x4Add, ...set(11),
  ]),
  ...get(OUT), ...hreduce(11, f32Add), ...f32Store,
];

const body = (code: number[], v128s = 1) => {
  const locals = vec([[...uleb(5), I32], [...uleb(v128s), V128]]);
  const b = [...locals, ...code, 0x0b];
  return [...uleb(b.length), ...b];
};

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec(new Array<number[]>(6).fill([I32])), ...vec([])];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, 0x01]])), // memory, min 1 page, no max
    ...section(3, vec([[0], [0], [0]])),
    ...section(7, vec([[...str('dots'), 0x00, 0], [...str('wsum'), 0x00, 1], [...str('softmax'), 0x00, 2]])),
    ...section(10, vec([body(dots), body(wsum), body(softmax, 5)])),
  ]);
}

type Fn = (input: number, mat: number, cap: number, dh: number, n: number, out: number) => void;
export interface SimdAttention {
  memory: WebAssembly.Memory;
  dots: Fn;
  wsum: Fn;
  softmax: Fn;
}

let compiled: WebAssembly.Module | null | undefined;

/** An instance over a fresh memory of at least `bytes` (each cache owns one; growth makes a new one). */
export function simdAttention(bytes: number): SimdAttention | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(moduleBytes()); // tiny: synchronous compilation is allowed
    } catch {
      compiled = null; // no WebAssembly SIMD here
    }
  }
  if (!compiled) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const { exports } = new WebAssembly.Instance(compiled, { env: { mem: memory } });
  return { memory, dots: exports.dots as Fn, wsum: exports.wsum as Fn, softmax: exports.softmax as Fn };
}

/** Tests: pretend WebAssembly SIMD is missing (null) or present again (undefined). */
export function setSimdForTests(state: null | undefined): void {
  compiled = state;
}
