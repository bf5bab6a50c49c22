/**
 * Batched rollouts: many agent loops (src/agent/loop.ts, unchanged) share one model.
 *
 * Each trajectory gets its own light Policy whose next() only queues a request. A single decode
 * loop takes every request waiting at that moment (up to maxDecodeBatch), decodes them as one
 * batch in a fresh DecodeContext, and answers each. While a batch decodes, the other
 * trajectories run their Python; when they ask for their next turn they join the next batch. So
 * the model works whenever any trajectory waits for it, and Python runs while the model works.
 *
 * Each request prefills its whole conversation (examples.ts's exact stream: the turns' sampled
 * ids, observations formatted as in SFT). Prefill is one batched forward; re-using KV caches
 * across batches of changing composition would save little at these context lengths.
 *
 * Over-length: the model's context is maxSeq positions. A conversation that no longer fits, or a
 * turn cut off by the context end, marks the trajectory over-length; its loop ends
 * (ERROR_IN_ACTION from the policy failure) and runRollouts records it as OVER_LENGTH, a broken
 * interaction. The loop's own token estimate counts the full system prompt the tiny model never
 * sees, so its maxContextTokens is left above maxSeq and this exact check decides.
 *
 * Sampling is seeded per trajectory and turn (GenerateOptions.rowSeeds), so a rollout does not
 * depend on which others it happened to be batched with.
 */
import { runTrajectory, type AgentEvent } from '../agent/loop';
import { TRAINING_LOOP, type LoopConfig, type Policy, type PolicyContext, type PolicyTurn, type Trajectory } from '../agent/types';
import { visualTokens } from '../model/config';
import { DecodeContext, DEFAULT_STOPS, yieldToEventLoop } from '../model/generate';
import type { Tokenizer } from '../model/tokenizer';
import type { TinyVLM } from '../model/transformer';
import type { PythonRuntime, RunResult } from '../runtime/types';
import { Rng, hashSeed } from '../tasks/rng';
import type { Task } from '../tasks/types';
import { formatWithSampledIds } from './examples';

export interface GeneratorOptions {
  maxNewTokens: number;
  temperature: number;
  maxDecodeBatch: number;
  seed: number;
  /** Longest wait for more requests before a batch decodes (ms, default 8). */
  gatherMs?: number;
  /** Constrained decoding (grammar.ts). */
  grammar?: boolean;
  signal?: AbortSignal;
}

export class ContextFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextFullError';
  }
}

interface Slot {
  key: string;
  /** Sampled ids and text of each turn, by turn index. */
  turns: Array<{ text: string; ids: number[] }>;
  overLength: boolean;
}

interface Pending {
  slot: Slot;
  ctx: PolicyContext;
  resolve: (t: PolicyTurn) => void;
  reject: (e: unknown) => void;
}

export interface GeneratorStats {
  batches: number;
  rows: number;
  tokens: number;
  /** Wall time the model spent decoding (prefill + sampling). */
  generateMs: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class BatchedGenerator {
  readonly stats: GeneratorStats = { batches: 0, rows: 0, tokens: 0, generateMs: 0 };
  private queue: Pending[] = [];
  private running = false;
  /** Trajectories holding a policy (waiting, generating or running Python). */
  private live = 0;
  private readonly K: number;

  constructor(
    readonly model: TinyVLM,
    readonly tokenizer: Tokenizer,
    private readonly opts: GeneratorOptions,
  ) {
    this.K = visualTokens(model.config);
  }

  /** A policy for one trajectory (the key seeds its sampling); release() it when the trajectory ends. */
  policyFor(key: string): Policy & { readonly overLength: boolean; release(): void } {
    const slot: Slot = { key, turns: [], overLength: false };
    this.live++;
    let released = false;
    return {
      release: () => {
        if (!released) this.live--;
        released = true;
      },
      name: 'tiny-rl',
      kind: 'tiny',
      next: (ctx) => new Promise<PolicyTurn>((resolve, reject) => this.enqueue({ slot, ctx, resolve, reject })),
      visualTokens: () => this.K,
      textTokens: (s) => this.tokenizer.encode(s).length,
      get overLength() {
        return slot.overLength;
      },
    };
  }

  private enqueue(p: Pending): void {
    this.queue.push(p);
    if (!this.running) {
      this.running = true;
      void this.loop();
    }
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length) {
        await this.gather();
        const batch = this.queue.splice(0, this.opts.maxDecodeBatch);
        await this.decode(batch);
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Waits briefly for more requests before decoding: at once when every live trajectory is
   * waiting (nobody else can come) or the batch is full; otherwise up to gatherMs (trajectories
   * that are finishing their Python, or were just started, join). A batch
   * decodes for hundreds of ms, so a few ms spent filling it pays for itself.
   */
  private async gather(): Promise<void> {
    await yieldToEventLoop();
    const deadline = now() + (this.opts.gatherMs ?? 8);
    while (this.queue.length < Math.min(this.live, this.opts.maxDecodeBatch) && now() < deadline) await new Promise((r) => setTimeout(r, 1));
  }

  private async decode(batch: Pending[]): Promise<void> {
    const maxSeq = this.model.config.maxSeq;
    const rows: Array<{ p: Pending; ids: number[]; images: typeof batch[0]['ctx']['images'] }> = [];
    for (const p of batch) {
      if (p.ctx.signal.aborted) {
        p.reject(new DOMException('The generation was cancelled.', 'AbortError'));
        continue;
      }
      const assistantTexts = p.ctx.messages.filter((m) => m.role === 'assistant').map((m) => m.content.map((c) => (c.type === 'text' ? c.text : '')).join(''));
      const sampled = assistantTexts.map((text, k) => (p.slot.turns[k]?.text === text ? p.slot.turns[k]!.ids : undefined));
      const ex = formatWithSampledIds(this.tokenizer, p.ctx.messages, p.ctx.images, sampled, { generationPrompt: true });
      // At least one new position must remain for the first sampled token to be fed back.
      if (ex.ids.length + ex.images.length * (this.K - 1) >= maxSeq) {
        p.slot.overLength = true;
        p.reject(new ContextFullError(`the conversation no longer fits the model's ${maxSeq} positions`));
        continue;
      }
      rows.push({ p, ids: ex.ids, images: ex.images });
    }
    if (!rows.length) return;
    const t0 = now();
    const dc = new DecodeContext(this.model, this.tokenizer, rows.length);
    try {
      await dc.prefill(rows.map((r) => ({ ids: r.ids, images: r.images })));
      const out = await dc.generate({
        maxNewTokens: this.opts.maxNewTokens,
        temperature: this.opts.temperature,
        topP: 1,
        stop: DEFAULT_STOPS,
        grammar: this.opts.grammar ?? false,
        rowSeeds: rows.map((r) => hashSeed(this.opts.seed, r.p.slot.key, r.p.ctx.turn)),
        signal: this.opts.signal,
        onToken: (b, piece) => {
          if (piece) rows[b]!.p.ctx.onText?.(piece);
        },
      });
      this.stats.batches++;
      this.stats.rows += rows.length;
      out.forEach((row, b) => {
        const { p } = rows[b]!;
        this.stats.tokens += row.ids.length;
        if (row.finish === 'aborted') return p.reject(new DOMException('The generation was cancelled.', 'AbortError'));
        if (row.finish === 'context') p.slot.overLength = true;
        p.slot.turns[p.ctx.turn] = { text: row.text, ids: row.ids };
        p.resolve({ text: row.text, tokens: { count: row.ids.length, ids: row.ids, logprobs: row.logprobs, pieces: row.pieces } });
      });
    } catch (err) {
      for (const r of rows) r.p.reject(err);
    } finally {
      dc.dispose();
      this.stats.generateMs += now() - t0;
    }
  }
}

export interface RolloutRequest {
  task: Task;
  /** Unique within the run: seeds the sampling and names the trajectory. */
  id: string;
}

export interface Rollout {
  request: RolloutRequest;
  trajectory: Trajectory;
  /** Why the interaction broke, or null. */
  broken: string | null;
}

export interface RolloutOptions {
  runtime: PythonRuntime;
  generator: BatchedGenerator;
  loop: Pick<LoopConfig, 'maxTurns' | 'maxImages' | 'toolRewardCoef'>;
  /** Simulated tool failures (RlConfig.toolFailureRate), drawn per trajectory from (seed, request id). */
  toolFailure?: { rate: number; seed: number };
  concurrency: number;
  signal?: AbortSignal;
  onRollout?: (r: Rollout, done: number, total: number) => void;
  /** The loop's live events (streamed text, observations) of each trajectory, by its id. */
  onEvent?: (id: string, event: AgentEvent) => void;
}

/** The training loop config: errors end the episode (reward 0), as in PyVision-RL. */
export function trainingLoop(loop: RolloutOptions['loop']): LoopConfig {
  return { ...TRAINING_LOOP, errorMode: 'end', maxTurns: loop.maxTurns, maxImages: loop.maxImages, toolRewardCoef: loop.toolRewardCoef };
}

/** Why a finished trajectory counts as a broken interaction, or null. */
export function brokenReason(t: Trajectory, overLength: boolean): string | null {
  if (overLength || t.endReason === 'OVER_LENGTH') return 'over-length';
  if (t.endReason === 'EXCEED_MAX_IMAGES') return 'too-many-images';
  if (t.endReason === 'CANCELLED') return 'cancelled';
  if (t.error) return 'runtime-failure';
  return null;
}

/** Runs every request (at most `concurrency` at once); results in request order. */
export async function runRollouts(requests: RolloutRequest[], opts: RolloutOptions): Promise<Rollout[]> {
  const config = trainingLoop(opts.loop);
  const out: Rollout[] = new Array(requests.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < requests.length && !opts.signal?.aborted) {
      const i = next++;
      const request = requests[i]!;
      const policy = opts.generator.policyFor(request.id);
      let trajectory: Trajectory;
      try {
        trajectory = await runTrajectory({
          task: request.task,
          policy,
          runtime: opts.toolFailure && opts.toolFailure.rate > 0 ? withToolFailures(opts.runtime, opts.toolFailure.rate, hashSeed('tool-failure', opts.toolFailure.seed, request.id)) : opts.runtime,
          config,
          signal: opts.signal,
          id: request.id,
          onEvent: opts.onEvent && ((e) => opts.onEvent!(request.id, e)),
        });
      } finally {
        policy.release();
      }
      if (policy.overLength && trajectory.endReason === 'ERROR_IN_ACTION') {
        // The context ran out, not the agent's action: the protocol's OVER_LENGTH (reward stays 0).
        trajectory.endReason = 'OVER_LENGTH';
        delete trajectory.error;
      }
      out[i] = { request, trajectory, broken: brokenReason(trajectory, policy.overLength) };
      opts.onRollout?.(out[i]!, ++done, requests.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, requests.length) }, worker));
  if (opts.signal?.aborted) throw new DOMException('Training was stopped.', 'AbortError');
  return out;
}

/**
 * The runtime as seen through a flaky sandbox: each run fails with probability `rate` without
 * running (a timeout, as a real sandbox sometimes gives), decided by an rng seeded per
 * trajectory, so the same trajectory id meets the same failures in every arm of an experiment.
 */
export function withToolFailures(runtime: PythonRuntime, rate: number, seed: number): PythonRuntime {
  const rng = new Rng(seed);
  return {
    start: () => runtime.start(),
    status: () => runtime.status(),
    onStatus: (listener) => runtime.onStatus(listener),
    dispose: () => runtime.dispose(),
    async openSession(inputs) {
      const session = await runtime.openSession(inputs);
      return {
        get id() {
          return session.id;
        },
        get lost() {
          return session.lost;
        },
        interrupt: () => session.interrupt(),
        reset: () => session.reset(),
        close: () => session.close(),
        async run(code: string): Promise<RunResult> {
          if (!rng.chance(rate)) return session.run(code);
          const message = 'The tool call failed: the sandbox timed out (a simulated failure; toolFailureRate).';
          return { ok: false, output: '', outputTruncated: false, figures: [], figuresDropped: 0, error: { kind: 'timeout', type: 'ToolFailure', message, traceback: '' }, wallMs: 0 };
        },
      };
    },
  };
}
