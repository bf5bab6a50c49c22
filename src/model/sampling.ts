/**
 * Next-token choice on the CPU (the logits of one step are downloaded anyway, and sorting a
 * 1 k vocabulary is cheaper than a round of TF.js ops).
 *
 * The returned log-prob is that of the chosen token under softmax(logits / temperature) BEFORE
 * top-p truncation (temperature 0 = greedy uses temperature 1): the policy's distribution that
 * GRPO's importance ratio compares against, independent of the truncation used for sampling.
 * Likewise an `allowed` mask (constrained decoding, grammar.ts) restricts what can be chosen but
 * not the distribution the log-prob is taken under.
 */

export interface SamplingOptions {
  /** 0 = greedy (argmax). */
  temperature: number;
  /** Nucleus sampling: the smallest set of tokens whose probability reaches topP (1 = off). */
  topP: number;
}

let scratch = new Float64Array(0);

export interface Sampled {
  id: number;
  logprob: number;
}

/**
 * Samples from logits[offset, offset + V) with `random()` uniform in [0, 1); with `allowed`,
 * only ids whose entry is 1 can be chosen.
 */
export function sampleToken(logits: Float32Array, offset: number, V: number, opts: SamplingOptions, random: () => number, allowed?: Uint8Array): Sampled {
  const t = opts.temperature > 0 ? opts.temperature : 1;
  let max = -Infinity;
  let argmax = -1;
  let best = -Infinity;
  for (let i = 0; i < V; i++) {
    const x = logits[offset + i]!;
    if (x > max) max = x;
    if ((!allowed || allowed[i]) && x > best) {
      best = x;
      argmax = i;
    }
  }
  // NaN compares false above; a row without one finite logit cannot be sampled.
  if (!Number.isFinite(max)) throw new Error('the model produced no finite logit (NaN/Infinity in its weights or backend numerics)');
  if (argmax < 0 || !Number.isFinite(best)) throw new Error('no allowed token has a finite logit (constrained decoding left nothing to choose)');
  // A scratch reused across calls (this function is synchronous): a fresh 8 kB array per row and
  // token was a good part of decoding's garbage at batch 64.
  if (scratch.length < V) scratch = new Float64Array(V);
  const probs = scratch;
  let total = 0;
  for (let i = 0; i < V; i++) {
    const p = Math.exp((logits[offset + i]! - max) / t);
    probs[i] = Number.isNaN(p) ? 0 : p;
    total += p;
  }
  const logprobOf = (id: number) => Math.log(probs[id]! / total);
  if (opts.temperature <= 0) return { id: argmax, logprob: logprobOf(argmax) };

  // The common case (no mask, no top-p) walks the ids in order without building id lists: the
  // same sums and the same choice as the general path below, minus its allocations per token.
  if (!allowed && opts.topP >= 1) {
    let sum = 0;
    for (let i = 0; i < V; i++) sum += probs[i]!;
    let r = random() * sum;
    for (let i = 0; i < V; i++) {
      r -= probs[i]!;
      if (r < 0) return { id: i, logprob: logprobOf(i) };
    }
    return { id: V - 1, logprob: logprobOf(V - 1) };
  }
  // The choice is among the allowed tokens (all, without a mask); top-p keeps the smallest set
  // holding topP of their mass.
  const pool = allowed ? Array.from({ length: V }, (_, i) => i).filter((i) => allowed[i]) : Array.from({ length: V }, (_, i) => i);
  let candidates = pool;
  if (opts.topP < 1) {
    let poolMass = 0;
    for (const i of pool) poolMass += probs[i]!;
    // Descending by probability, ties by id (deterministic); keep the nucleus.
    const order = [...pool].sort((a, b) => probs[b]! - probs[a]! || a - b);
    candidates = [];
    let mass = 0;
    for (const i of order) {
      candidates.push(i);
      mass += probs[i]!;
      if (mass >= opts.topP * poolMass) break;
    }
  }
  let sum = 0;
  for (const i of candidates) sum += probs[i]!;
  let r = random() * sum;
  for (const i of candidates) {
    r -= probs[i]!;
    if (r < 0) return { id: i, logprob: logprobOf(i) };
  }
  const last = candidates[candidates.length - 1]!;
  return { id: last, logprob: logprobOf(last) };
}
