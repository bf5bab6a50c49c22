import { formatEta, progressOf } from './eta';
import { runsOf, useRl } from './rlStore';

/** Start, pause, resume, stop; the live phase; a progress bar with ETA. */
export function RunControls() {
  const s = useRl();
  const session = s.session;
  const selected = s.runs.find((r) => r.id === s.selectedId) ?? null;
  const arms = session ? s.runs.filter((r) => session.runIds.includes(r.id)) : [];
  const done = arms.reduce((n, r) => n + r.step, 0);
  const total = arms.reduce((n, r) => n + r.steps, 0);
  const { fraction, etaMs } = progressOf({ done, total, rollout: session?.rollout ?? null, stepMs: session?.stepMs ?? [] });
  const busy = !!session;
  const canResumeStored = !session && !!selected && selected.status !== 'done' && runsOf(s.runs, selected.id).every((r) => r.checkpointStep !== null);
  const phase = session?.phase ?? 'idle';

  return (
    <section className="panel rl-controls" aria-labelledby="rl-controls-heading" data-testid="rl-controls" data-phase={phase}>
      <h2 id="rl-controls-heading">Train with RL (GRPO)</h2>
      <div className="toolbar" role="group" aria-label="Run controls">
        <button type="button" className="primary" data-testid="rl-start" disabled={busy} onClick={() => void s.start()}>
          Start run
        </button>
        <button type="button" data-testid="rl-pause" disabled={!busy || phase === 'paused' || phase === 'pausing' || phase === 'stopping'} onClick={s.pause}>
          Pause
        </button>
        <button
          type="button"
          data-testid="rl-resume"
          disabled={session ? phase !== 'paused' && phase !== 'pausing' : !canResumeStored}
          title={session ? 'Continue the paused run' : 'Continue the selected run from its last checkpoint'}
          onClick={() => void s.resume()}
        >
          {session ? 'Resume' : 'Resume from checkpoint'}
        </button>
        <button type="button" data-testid="rl-stop" disabled={!busy || phase === 'stopping'} onClick={s.stop}>
          Stop
        </button>
      </div>
      {session && (
        <div className="rl-status" role="status" aria-live="polite">
          <div className="progress-line" data-testid="rl-progress" data-done={done} data-total={total}>
            <progress max={1} value={fraction} aria-label="Training progress">
              {Math.round(fraction * 100)}%
            </progress>
            <span>
              {done}/{total} steps{arms.length > 1 ? ' (both arms)' : ''} · ETA <span data-testid="rl-eta">{phase === 'paused' ? 'paused' : formatEta(etaMs)}</span>
            </span>
          </div>
          <p className="muted" data-testid="rl-phase">
            {session.detail}
            {session.rollout && phase === 'running' && (
              <>
                {' '}
                · step {session.rollout.step}: rollouts {session.rollout.done}/{session.rollout.total}
              </>
            )}
            {session.backend && <span title={session.backend.reason}> · TF.js {session.backend.name}</span>}
          </p>
        </div>
      )}
      {!session && selected && (
        <p className="muted" data-testid="rl-selected-status" data-status={selected.status}>
          Selected: {selected.name} — {selected.status}, {selected.step}/{selected.steps} steps
          {selected.checkpointStep !== null ? `, checkpoint at step ${selected.checkpointStep}` : ''}
          {selected.error ? ` (${selected.error})` : ''}
        </p>
      )}
      {s.error && (
        <p className="error" role="alert" data-testid="rl-error">
          {s.error}{' '}
          <button type="button" onClick={s.dismiss}>
            Dismiss
          </button>
        </p>
      )}
      {s.notice && (
        <p className="notice" role="status" data-testid="rl-notice">
          {s.notice}
        </p>
      )}
    </section>
  );
}
