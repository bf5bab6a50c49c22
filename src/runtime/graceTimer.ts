/**
 * A timer that counts only the time the event loop was free to run it.
 *
 * Why: after an interrupt, the Python worker's reply (a KeyboardInterrupt result) is a
 * message the page must get to. On a busy page (the policy's weights loading, a WebGPU
 * shader compiling on a CPU-emulated adapter) the main thread can be blocked for seconds;
 * a plain setTimeout grace then expires the moment the page wakes up, possibly before the
 * queued reply is handled, and a worker that obeyed the interrupt is killed and its session
 * lost. This timer ticks; a tick that arrives late means the loop was blocked, and the
 * blocked part is not counted, so the reply always gets a full grace of responsive time.
 */

export interface GraceTimerOptions {
  /** Tick period in ms; lateness beyond `tickMs + slackMs` counts as blocked time. */
  tickMs?: number;
  slackMs?: number;
  /** The clock (performance.now by default; injectable for tests). */
  now?: () => number;
}

/** Calls `onExpire` once `ms` of responsive time has passed; returns a cancel function. */
export function startGraceTimer(ms: number, onExpire: () => void, options: GraceTimerOptions = {}): () => void {
  const now = options.now ?? (() => performance.now());
  const tickMs = Math.max(1, Math.min(options.tickMs ?? 100, ms));
  const slackMs = options.slackMs ?? 100;
  let counted = 0;
  let last = now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    const t = now();
    // A tick far behind schedule: only its scheduled period counts, not the stall.
    const gap = t - last;
    counted += gap > tickMs + slackMs ? tickMs : gap;
    last = t;
    if (counted >= ms) {
      timer = undefined;
      onExpire();
      return;
    }
    timer = setTimeout(tick, Math.min(tickMs, ms - counted));
  };
  timer = setTimeout(tick, Math.min(tickMs, ms));
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}
