/**
 * The agent's vocabulary: policies, the conversation they see, and the trajectory record
 * (plain, structured-cloneable data: what the viewer shows, training consumes and export
 * writes). The protocol itself (prompt, parsing, observation text) is in ./protocol.ts.
 */
import type { Pixels, RunError } from '../runtime/types';
import type { Difficulty, Task, TaskFamily } from '../tasks/types';

/** DESIGN.md §1's end reasons, plus CANCELLED for a user's stop (never produced in training). */
export type EndReason = 'DONE' | 'EXCEED_MAX_TURNS' | 'OVER_LENGTH' | 'EXCEED_MAX_IMAGES' | 'ERROR_IN_ACTION' | 'CANCELLED';

/** A message part: text, or an image by its index in Trajectory.images. */
export type ContentPart = { type: 'text'; text: string } | { type: 'image'; image: number };

export interface Message {
  role: 'system' | 'user' | 'assistant';
  content: ContentPart[];
}

export interface TokenInfo {
  /** Tokens the policy generated for this turn (estimated when the policy cannot count). */
  count: number;
  ids?: number[];
  /** Log-probability of each generated token, when the policy gives them. */
  logprobs?: number[];
  /** The token strings, aligned with ids/logprobs, for colouring in the viewer. */
  pieces?: string[];
}

export interface PolicyTurn {
  /** The raw assistant text: reasoning, then one <code> block or an <answer>. */
  text: string;
  tokens: TokenInfo;
}

export interface PolicyContext {
  /** The conversation so far, ending with a user message (question or observation). */
  messages: Message[];
  /** Images referenced by the messages (index = ContentPart.image). */
  images: Pixels[];
  /** 0-based index of the turn being asked for. */
  turn: number;
  maxTurns: number;
  /**
   * The task. Only oracle policies (the scripted expert, the global-view baseline) may read
   * its answer and truth; learned and remote policies see only the messages.
   */
  task: Task;
  signal: AbortSignal;
  /**
   * Streaming: called with each new piece of text as it is generated. `restart` says the turn is
   * being generated again from its start (after a lost GPU): what was streamed so far is void.
   */
  onText?: (delta: string, restart?: boolean) => void;
}

export type PolicyKind = 'scripted' | 'baseline' | 'remote' | 'human' | 'tiny';

export interface Policy {
  readonly name: string;
  readonly kind: PolicyKind;
  next(ctx: PolicyContext): Promise<PolicyTurn>;
  /** Visual tokens this policy spends on an image (defaults to Qwen2.5-VL's 28-px patches). */
  visualTokens?(image: Pixels): number;
  /** Text tokens of a text (prompt, observations) in this policy's tokenizer; estimated when absent. */
  textTokens?(text: string): number;
}

export type ErrorMode =
  /** RL training (the paper's choice): a Python error or timeout ends the episode, reward 0. */
  | 'end'
  /** Interactive use (PyVision's inference choice): the error text becomes the observation. */
  | 'feed-back';

export interface LoopConfig {
  /** Turn budget: 5 in training (4 tool calls + answer), ~30 interactive. */
  maxTurns: number;
  errorMode: ErrorMode;
  /** Images in the context (input + observations) beyond which the episode ends. */
  maxImages: number;
  /** Context length (text + visual tokens) beyond which the episode ends (OVER_LENGTH). */
  maxContextTokens: number;
  /** Accumulative tool reward coefficient: R = acc + coef × toolCalls × 1[acc = 1]. */
  toolRewardCoef: number;
}

export const INTERACTIVE_LOOP: LoopConfig = {
  maxTurns: 30,
  errorMode: 'feed-back',
  maxImages: 32,
  maxContextTokens: 32_768,
  toolRewardCoef: 0.1,
};

export const TRAINING_LOOP: LoopConfig = {
  maxTurns: 5,
  errorMode: 'end',
  maxImages: 12,
  maxContextTokens: 8_192,
  toolRewardCoef: 0.1,
};

export interface Observation {
  /** The exact user-turn text fed back (<interpreter>…</interpreter>). */
  text: string;
  output: string;
  error: RunError | null;
  /** Indices into Trajectory.images of the figures shown, in order. */
  images: number[];
  outputTruncated: boolean;
  figuresDropped: number;
}

export interface TurnRecord {
  index: number;
  text: string;
  /** The executed code (the last <code> block), or null. */
  code: string | null;
  /** The boxed answer, or null. */
  answer: string | null;
  /** Why the turn could not be used (neither code nor answer, …), or null. */
  parseError: string | null;
  observation: Observation | null;
  tokens: TokenInfo & { visual: number };
  timings: { generateMs: number; executeMs: number };
  /** True when the user edited this turn (branching). */
  edited?: boolean;
}

export interface Reward {
  accuracy: number;
  toolCalls: number;
  toolBonus: number;
  total: number;
}

export interface TrajectoryTaskInfo {
  id: string;
  family: TaskFamily;
  question: string;
  answer: string | null;
  difficulty: Difficulty | null;
  media: { kind: 'image' | 'video'; width: number; height: number; frameCount?: number; fps?: number };
}

export interface Trajectory {
  version: 1;
  id: string;
  task: TrajectoryTaskInfo;
  policy: { name: string; kind: PolicyKind };
  config: LoopConfig;
  /** Input image (image tasks) first, then every observation figure, in order. */
  images: Pixels[];
  /** The system and first user message (the prompt), as sent to the policy. */
  prompt: Message[];
  turns: TurnRecord[];
  endReason: EndReason | null;
  reward: Reward | null;
  /** Visual tokens spent on all images in the context (input + observations). */
  visualTokens: number;
  textTokens: number;
  startedAt: string;
  wallMs: number;
  /** Set on a branch: the trajectory it was forked from and the first edited turn. */
  branch?: { parentId: string; fromTurn: number };
  /** Why the episode stopped when the policy or the runtime failed (not the agent's own action). */
  error?: string;
}
