/**
 * The agent loop (DESIGN.md §1): generate → parse → execute → observe, one turn per step, over
 * any Policy and the Python runtime, recording a plain Trajectory as it goes.
 *
 * Decisions worth knowing:
 * - One Python session per trajectory, opened lazily at the first code turn (an answer-only
 *   trajectory never starts Python) and always closed at the end, on cancel and on failures.
 * - A turn with neither code nor a real answer (parseTurn rejects junk such as `\boxed{.}`, see
 *   answerRules.ts) is an error: in 'end' mode it ends the episode (ERROR_IN_ACTION); in
 *   'feed-back' mode a format reminder is fed back as the observation (PyVision-RL's env does
 *   the same) and the turn counts against the budget.
 * - In 'feed-back' mode a lost session (worker killed) is reported to the model and replaced by
 *   a fresh one on the next code turn; in 'end' mode any Python error, timeout or loss ends it.
 * - OVER_LENGTH wins over DONE: an answer that overflows the context would have been truncated.
 * - A policy or runtime that fails (throws) ends the episode with ERROR_IN_ACTION and
 *   `trajectory.error`; nothing waits forever on a policy once cancel() is called. A policy
 *   whose own context is full (an error named 'ContextOverflowError', e.g. the tiny model's
 *   position table) ends it OVER_LENGTH instead: the interaction outgrew the model.
 */
import type { PythonRuntime, PythonSession, Pixels, RunResult } from '../runtime/types';
import type { Task } from '../tasks/types';
import {
  buildPrompt,
  contentFromObservationText,
  contentToText,
  estimateTextTokens,
  formatErrorObservation,
  formatReminder,
  observationContent,
  observationTextResult,
  pixelsVisualTokens,
  replaceLastCode,
  parseTurn,
} from './protocol';
import { computeReward, countToolCalls } from './reward';
import { abortable, abortError, errMsg, newId, now, taskInfo, textOf } from './util';
import type { ContentPart, EndReason, LoopConfig, Message, Observation, Policy, PolicyTurn, Trajectory, TurnRecord } from './types';

export { taskInfo } from './util';

export type AgentEvent =
  | { type: 'turn-start'; turn: number }
  /** A streamed piece of the turn's text (replayed and edited turns send their whole text once). */
  | { type: 'text'; turn: number; delta: string; restart?: boolean }
  | { type: 'turn-generated'; turn: number; record: TurnRecord }
  | { type: 'observation'; turn: number; observation: Observation }
  | { type: 'end'; trajectory: Trajectory };

export interface AgentRunOptions {
  task: Task;
  policy: Policy;
  runtime: PythonRuntime;
  config: LoopConfig;
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
  /** Trajectory id (a random UUID by default). */
  id?: string;
  /** Video only: frames shown up front in the first message (the uniform-sampling baseline). */
  upFrontFrames?: Array<{ frame: number; pixels: Pixels }>;
}

/** Branch replay: the parent's turns before `fromTurn` are replayed, then `editedText` is used. */
interface ReplayPlan {
  parent: Trajectory;
  fromTurn: number;
  editedText: string;
}

export class AgentRun {
  private readonly traj: Trajectory;
  private readonly messages: Message[];
  private readonly controller = new AbortController();
  private session: PythonSession | null = null;
  private closing: Promise<void> | null = null;
  private finished = false;
  private busy = false;
  private executing = false;
  private opening: Promise<PythonSession> | null = null;
  private readonly started = now();

  constructor(
    private readonly opts: AgentRunOptions,
    private readonly replay: ReplayPlan | null = null,
  ) {
    const { task, policy, config } = opts;
    const images: Pixels[] = task.media.kind === 'image' ? [task.media.image] : [];
    const upFront = task.media.kind === 'video' ? (opts.upFrontFrames ?? []) : [];
    const prompt = buildPrompt(task, { videoFrames: upFront.map((f) => ({ frame: f.frame, image: images.push(f.pixels) - 1 })) });
    this.messages = [...prompt];
    this.traj = {
      version: 1,
      id: opts.id ?? newId(),
      task: taskInfo(task),
      policy: { name: policy.name, kind: policy.kind },
      config: { ...config },
      images,
      prompt,
      turns: [],
      endReason: null,
      reward: null,
      visualTokens: images.reduce((n, p) => n + this.visual(p), 0),
      textTokens: prompt.reduce((n, msg) => n + this.text(textOf(msg.content)), 0),
      startedAt: new Date().toISOString(),
      wallMs: 0,
    };
    if (replay) this.traj.branch = { parentId: replay.parent.id, fromTurn: replay.fromTurn };
    if (opts.signal?.aborted) this.controller.abort();
    else opts.signal?.addEventListener('abort', this.onExternalAbort, { once: true });
  }

  private readonly onExternalAbort = (): void => this.cancel();

  /** The live record (mutated as turns happen; copy it to keep a snapshot). */
  get trajectory(): Trajectory {
    return this.traj;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Runs one turn and returns its record, or null once the episode is over. */
  async step(): Promise<TurnRecord | null> {
    if (this.finished) return null;
    if (this.busy) throw new Error('AgentRun.step: the previous step has not finished');
    this.busy = true;
    try {
      const record = await this.turn();
      // A finished episode has its session closed before step() resolves (no code is running
      // then); after a cancel the close may wait for an interrupt, so it is not awaited here.
      if (this.finished && this.traj.endReason !== 'CANCELLED') await this.closing;
      return record;
    } finally {
      this.busy = false;
    }
  }

  /** Runs turns until the episode ends; resolves with the trajectory. */
  async run(): Promise<Trajectory> {
    while ((await this.step()) !== null && !this.finished) {
      /* each step records itself */
    }
    return this.traj;
  }

  /** Stops at once (CANCELLED); a running generation or Python call is abandoned. */
  cancel(): void {
    if (this.finished) return;
    this.controller.abort();
    // Between steps nobody is awaiting: end here. During a step, the step ends it.
    if (!this.busy) void this.finish('CANCELLED');
  }

  /** Cancels if still running and releases the Python session; resolves once it is closed. */
  async close(): Promise<void> {
    this.cancel();
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    await (this.closing ?? this.closeSession());
  }

  // ---- one turn ----

  private async turn(): Promise<TurnRecord | null> {
    const { config, policy, task } = this.opts;
    const signal = this.controller.signal;
    const index = this.traj.turns.length;
    if (signal.aborted) return this.end('CANCELLED', null);
    if (this.contextTokens() > config.maxContextTokens) return this.end('OVER_LENGTH', null);
    this.emit({ type: 'turn-start', turn: index });

    // 1. Generate (or take the parent's / the edited text on a branch).
    const parentTurn = this.replay && index < this.replay.fromTurn ? this.replay.parent.turns[index]! : null;
    const editedTurn = this.replay !== null && index === this.replay.fromTurn;
    const t0 = now();
    let out: PolicyTurn;
    if (parentTurn || editedTurn) {
      out = parentTurn ? { text: parentTurn.text, tokens: { ...parentTurn.tokens } } : { text: this.replay!.editedText, tokens: { count: 0 } };
      this.emit({ type: 'text', turn: index, delta: out.text });
    } else {
      try {
        const next = policy.next({
          messages: this.messages.slice(),
          images: this.traj.images.slice(),
          turn: index,
          maxTurns: config.maxTurns,
          task,
          signal,
          onText: (delta, restart) => {
            if (!signal.aborted && this.traj.turns.length === index) this.emit({ type: 'text', turn: index, delta, ...(restart ? { restart } : {}) });
          },
        });
        out = await abortable(next, signal);
        if (typeof out?.text !== 'string') throw new Error('the policy returned no text');
      } catch (err) {
        if (signal.aborted) return this.end('CANCELLED', null);
        if (err instanceof Error && err.name === 'ContextOverflowError') return this.end('OVER_LENGTH', null, `The policy "${policy.name}" ran out of context: ${errMsg(err)}`);
        return this.end('ERROR_IN_ACTION', null, `The policy "${policy.name}" failed: ${errMsg(err)}`);
      }
    }
    const generateMs = parentTurn ? parentTurn.timings.generateMs : editedTurn ? 0 : now() - t0;

    // 2. Parse and record.
    const parsed = parseTurn(out.text);
    const count = Number.isFinite(out.tokens?.count) && out.tokens.count > 0 ? out.tokens.count : estimateTextTokens(out.text);
    const record: TurnRecord = {
      index,
      text: out.text,
      code: parsed.code,
      answer: parsed.answer,
      parseError: parsed.parseError,
      observation: null,
      tokens: { ...out.tokens, count, visual: 0 },
      timings: { generateMs, executeMs: 0 },
    };
    if (editedTurn || parentTurn?.edited) record.edited = true;
    this.traj.turns.push(record);
    this.messages.push({ role: 'assistant', content: [{ type: 'text', text: out.text }] });
    this.traj.textTokens += count;
    this.emit({ type: 'turn-generated', turn: index, record });

    if (this.contextTokens() > config.maxContextTokens) return this.end('OVER_LENGTH', record);
    if (parsed.answer !== null) return this.end('DONE', record);
    if (parsed.code === null && config.errorMode === 'end') return this.end('ERROR_IN_ACTION', record);

    // 3. Execute (or replay the parent's observation) and observe.
    let content: ContentPart[];
    let failed = false;
    const t1 = now();
    if (parsed.code === null) {
      const text = formatErrorObservation(formatReminder(parsed.parseError));
      content = [{ type: 'text', text }];
      record.observation = { text, output: '', error: null, images: [], outputTruncated: false, figuresDropped: 0 };
    } else {
      let result: RunResult;
      try {
        result = await abortable(this.execute(parsed.code), signal);
      } catch (err) {
        if (signal.aborted) return this.end('CANCELLED', record);
        return this.end('ERROR_IN_ACTION', record, `The Python runtime failed: ${errMsg(err)}`);
      }
      record.timings.executeMs = parentTurn ? parentTurn.timings.executeMs : now() - t1;
      const po = parentTurn?.observation;
      if (po) {
        // State rebuilt; the turn is recorded as in the parent so the conversation stays what it was.
        const figures = po.images.map((i) => ({ pixels: this.replay!.parent.images[i]!, titles: [], downscaled: false }));
        result = { ...result, output: po.output, error: po.error, figures, outputTruncated: po.outputTruncated, figuresDropped: po.figuresDropped };
      }
      const first = this.traj.images.length;
      const indices = result.figures.map((f) => this.traj.images.push(f.pixels) - 1);
      let textResult = observationTextResult(result);
      if (result.error?.kind === 'session-lost') textResult += '\nThe Python session was restarted: variables from earlier code are gone.';
      content = po ? contentFromObservationText(po.text, indices) : observationContent(textResult, first, indices);
      const visual = result.figures.reduce((n, f) => n + this.visual(f.pixels), 0);
      record.tokens.visual = visual;
      this.traj.visualTokens += visual;
      record.observation = {
        text: contentToText(content),
        output: result.output,
        error: result.error,
        images: indices,
        outputTruncated: result.outputTruncated,
        figuresDropped: result.figuresDropped,
      };
      failed = result.error !== null;
    }
    this.messages.push({ role: 'user', content });
    this.traj.textTokens += this.text(textOf(content));
    this.emit({ type: 'observation', turn: index, observation: record.observation });

    // 4. End conditions, in the order the episode would hit them.
    if (failed && config.errorMode === 'end') return this.end('ERROR_IN_ACTION', record);
    if (this.traj.images.length > config.maxImages) return this.end('EXCEED_MAX_IMAGES', record);
    if (this.contextTokens() > config.maxContextTokens) return this.end('OVER_LENGTH', record);
    if (index + 1 >= config.maxTurns) return this.end('EXCEED_MAX_TURNS', record);
    return record;
  }

  private async execute(code: string): Promise<RunResult> {
    if (this.session?.lost) {
      const lost = this.session;
      this.session = null;
      void lost.close().catch(() => {});
    }
    if (!this.session) {
      this.opening = this.openSession();
      try {
        this.session = await this.opening;
      } finally {
        this.opening = null;
      }
    }
    this.executing = true;
    try {
      return await this.session.run(code);
    } finally {
      this.executing = false;
    }
  }

  /** Opens the trajectory's session; one that arrives after the end is closed at once. */
  private async openSession(): Promise<PythonSession> {
    const m = this.opts.task.media;
    const s = await this.opts.runtime.openSession(m.kind === 'image' ? { images: [m.image] } : { video: m.video });
    if (this.finished) {
      await s.close().catch(() => {});
      throw abortError();
    }
    return s;
  }

  // ---- ending ----

  private end(reason: EndReason, record: TurnRecord | null, error?: string): TurnRecord | null {
    void this.finish(reason, error);
    return record;
  }

  private finish(reason: EndReason, error?: string): Promise<void> {
    if (this.finished) return this.closing ?? Promise.resolve();
    this.finished = true;
    this.opts.signal?.removeEventListener('abort', this.onExternalAbort);
    const t = this.traj;
    t.endReason = reason;
    if (error) t.error = error;
    t.wallMs = now() - this.started;
    const last = t.turns[t.turns.length - 1];
    const answer = reason === 'DONE' && last ? last.answer : null;
    t.reward = reason === 'CANCELLED' ? null : computeReward(this.opts.task, answer, countToolCalls(t.turns), this.opts.config.toolRewardCoef);
    this.closing = this.closeSession();
    this.emit({ type: 'end', trajectory: t });
    return this.closing;
  }

  private async closeSession(): Promise<void> {
    if (this.opening) await this.opening.catch(() => {}); // it closes itself (openSession above)
    const s = this.session;
    this.session = null;
    if (!s) return;
    // Cancelled mid-call: stop the code (KeyboardInterrupt, then the worker is replaced if it
    // ignores it) so the close that follows is not held up by the running call.
    if (this.executing) s.interrupt();
    await s.close().catch(() => {});
  }

  // ---- accounting ----

  private contextTokens(): number {
    return this.traj.textTokens + this.traj.visualTokens;
  }

  private visual(p: Pixels): number {
    return this.opts.policy.visualTokens?.(p) ?? pixelsVisualTokens(p);
  }

  private text(s: string): number {
    return this.opts.policy.textTokens?.(s) ?? estimateTextTokens(s);
  }

  private emit(event: AgentEvent): void {
    try {
      this.opts.onEvent?.(event);
    } catch {
      // A UI listener's bug must not break the episode.
    }
  }
}

/** Runs a whole trajectory and releases its session. */
export async function runTrajectory(opts: AgentRunOptions): Promise<Trajectory> {
  const run = new AgentRun(opts);
  try {
    return await run.run();
  } finally {
    await run.close();
  }
}

export interface BranchOptions extends Omit<AgentRunOptions, 'id'> {
  parent: Trajectory;
  /** The turn to replace; turns before it are re-executed to rebuild the Python state. */
  fromTurn: number;
  /** New text for the turn, and/or new code (rewrites the code block inside the text). */
  edit: { text?: string; code?: string };
  id?: string;
}

/**
 * A new run forked from `parent` at `fromTurn`: turns before it are replayed in a fresh session
 * (their code re-executed so Python state is rebuilt; recorded as in the parent), turn `fromTurn`
 * becomes the edited text and is executed, then the policy continues. The parent is untouched.
 */
export function branchFrom(opts: BranchOptions): AgentRun {
  const { parent, fromTurn, edit, task } = opts;
  if (parent.task.id !== task.id) throw new Error(`branchFrom: the parent trajectory is for task "${parent.task.id}", not "${task.id}"`);
  if (!Number.isInteger(fromTurn) || fromTurn < 0 || fromTurn >= parent.turns.length) {
    throw new RangeError(`branchFrom: fromTurn must be a turn of the parent (0…${parent.turns.length - 1}), got ${fromTurn}`);
  }
  let text = edit.text ?? parent.turns[fromTurn]!.text;
  if (edit.code !== undefined) text = replaceLastCode(text, edit.code);
  return new AgentRun({ ...opts }, { parent, fromTurn, editedText: text });
}
