import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startGraceTimer } from './graceTimer';

describe('startGraceTimer', () => {
  let clock = 0;
  const now = () => clock;
  /** Runs the timers for `ms` of wall time with the event loop free. */
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i++) {
      clock += 1;
      vi.advanceTimersByTime(1);
    }
  };

  beforeEach(() => {
    clock = 0;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => vi.useRealTimers());

  it('expires after the grace when the loop is free', () => {
    const expired = vi.fn();
    startGraceTimer(1000, expired, { now });
    advance(990);
    expect(expired).not.toHaveBeenCalled();
    advance(20);
    expect(expired).toHaveBeenCalledTimes(1);
    advance(2000);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('does not count a stall of the event loop towards the grace', () => {
    const expired = vi.fn();
    startGraceTimer(1000, expired, { now });
    advance(300);
    // The page is blocked for 5 s: the clock moves, no timer can run.
    clock += 5000;
    advance(1);
    expect(expired).not.toHaveBeenCalled();
    // After the stall the grace goes on from where it was, not from zero and not expired.
    advance(500);
    expect(expired).not.toHaveBeenCalled();
    advance(250);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('cancel stops it', () => {
    const expired = vi.fn();
    const cancel = startGraceTimer(500, expired, { now });
    advance(200);
    cancel();
    advance(2000);
    expect(expired).not.toHaveBeenCalled();
  });
});
