/**
 * A policy that survives a lost GPU device: when generation fails because the device is gone
 * (deviceLoss.ts), `recover` moves the model to another backend and the same turn is asked
 * again from the start, so the episode goes on instead of failing. Ordinary errors pass through.
 */
import type { Policy, PolicyContext, PolicyTurn } from '../agent/types';
import { deviceLossReason, watchDevice } from './deviceLoss';

export type DisposablePolicy = Policy & { dispose(): void };

/** Device losses one policy survives (each recovery moves to a slower backend). */
const MAX_RECOVERIES = 3;

export class DeviceResilientPolicy implements Policy {
  readonly kind: Policy['kind'];
  readonly name: string;
  private inner: DisposablePolicy;
  private recoveries = 0;

  /**
   * @param build makes the inner policy on the current backend (called again after a recovery)
   * @param recover switches backend and rebuilds the model; `reason` says what was lost
   */
  constructor(
    private readonly build: () => DisposablePolicy,
    private readonly recover: (reason: string) => Promise<void>,
  ) {
    this.inner = build();
    this.kind = this.inner.kind;
    this.name = this.inner.name;
  }

  async next(ctx: PolicyContext): Promise<PolicyTurn> {
    for (;;) {
      const watch = watchDevice();
      try {
        return await this.inner.next(ctx);
      } catch (err) {
        const lost = deviceLossReason(err, watch);
        if (!lost || ctx.signal.aborted || this.recoveries >= MAX_RECOVERIES) throw err;
        this.recoveries++;
        try {
          this.inner.dispose();
        } catch {
          // Its caches lived on the lost device.
        }
        await this.recover(lost);
        this.inner = this.build();
        // The turn starts again: what it streamed on the lost device is not its text.
        ctx.onText?.('', true);
      }
    }
  }

  visualTokens(img: Parameters<NonNullable<Policy['visualTokens']>>[0]): number {
    return this.inner.visualTokens ? this.inner.visualTokens(img) : 0;
  }

  textTokens(text: string): number {
    return this.inner.textTokens ? this.inner.textTokens(text) : 0;
  }

  dispose(): void {
    this.inner.dispose();
  }
}
