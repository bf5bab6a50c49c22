/**
 * The human policy: the user writes the turn (reasoning + code, or the answer). Educators use it
 * to play the agent. `next()` parks a pending request that the UI fulfils with `submit(text)`;
 * subscribers learn when it is the human's turn and when it no longer is (submitted/cancelled).
 */
import { estimateTextTokens } from '../agent/protocol';
import type { Message, Policy, PolicyContext, PolicyTurn } from '../agent/types';
import type { Pixels } from '../runtime/types';

/** What the UI needs to show while waiting for the human. */
export interface HumanRequest {
  turn: number;
  maxTurns: number;
  messages: Message[];
  images: Pixels[];
}

export interface HumanPolicy extends Policy {
  readonly kind: 'human';
  /** The request waiting for the human, or null. */
  readonly pending: HumanRequest | null;
  /** Calls `listener` with the pending request now and on every change; returns an unsubscribe. */
  subscribe(listener: (pending: HumanRequest | null) => void): () => void;
  /** Fulfils the pending turn with the human's text; throws if nothing is pending. */
  submit(text: string): void;
}

export function createHumanPolicy(name = 'human'): HumanPolicy {
  let pending: { request: HumanRequest; resolve: (t: PolicyTurn) => void; cleanup: () => void } | null = null;
  const listeners = new Set<(p: HumanRequest | null) => void>();
  const notify = () => {
    for (const l of [...listeners]) {
      try {
        l(pending?.request ?? null);
      } catch {
        // One broken listener must not stop the others.
      }
    }
  };

  return {
    name,
    kind: 'human',
    get pending() {
      return pending?.request ?? null;
    },
    subscribe(listener) {
      listeners.add(listener);
      listener(pending?.request ?? null);
      return () => void listeners.delete(listener);
    },
    submit(text: string) {
      if (!pending) throw new Error('It is not the human\u2019s turn: nothing is waiting for a submission.');
      if (typeof text !== 'string') throw new TypeError('submit(text) needs a string');
      const p = pending;
      pending = null;
      p.cleanup();
      notify();
      p.resolve({ text, tokens: { count: estimateTextTokens(text) } });
    },
    next(ctx: PolicyContext): Promise<PolicyTurn> {
      if (pending) return Promise.reject(new Error('The human policy is already waiting for a turn.'));
      if (ctx.signal.aborted) return Promise.reject(new DOMException('cancelled', 'AbortError'));
      return new Promise<PolicyTurn>((resolve, reject) => {
        const onAbort = () => {
          if (pending?.resolve !== resolve) return;
          pending = null;
          notify();
          reject(new DOMException('The human turn was cancelled.', 'AbortError'));
        };
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        pending = {
          request: { turn: ctx.turn, maxTurns: ctx.maxTurns, messages: ctx.messages, images: ctx.images },
          resolve,
          cleanup: () => ctx.signal.removeEventListener('abort', onAbort),
        };
        notify();
      });
    },
  };
}
