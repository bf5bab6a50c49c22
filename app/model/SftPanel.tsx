import { useSft } from '../store/sftStore';
import { SMALL_SFT_LIMITS, type SmallSftOptions } from './sftPreset';
import { LossChart } from './LossChart';

const FIELDS: ReadonlyArray<{ key: keyof SmallSftOptions; label: string }> = [
  { key: 'tasks', label: 'Expert trajectories' },
  { key: 'steps', label: 'Training steps' },
  { key: 'seed', label: 'Seed' },
];

const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** SFT from scratch in the browser (small preset): data → training in a worker → use the model. */
export function SftPanel() {
  const s = useSft();
  const running = s.phase === 'data' || s.phase === 'training';
  return (
    <section className="panel" aria-labelledby="sft-heading" data-testid="sft-panel" data-phase={s.phase}>
      <h2 id="sft-heading">Fine-tune from scratch (small)</h2>
      <p className="muted">
        The scripted expert solves generated tasks in Python (this page&apos;s Pyodide); a small model (d=32, 2 layers, 16-px images) is then trained on its
        trajectories in a web worker, exactly as <code>npm run train:sft</code> does. It learns the protocol&apos;s shape, not good answers: the shipped
        model is the one trained at length.
      </p>
      <form
        className="toolbar"
        aria-label="Fine-tune settings"
        onSubmit={(e) => {
          e.preventDefault();
          void s.start();
        }}
      >
        {FIELDS.map((f) => (
          <label key={f.key}>
            {f.label}
            <input
              data-testid={`sft-${f.key}`}
              type="number"
              min={SMALL_SFT_LIMITS[f.key].min}
              max={SMALL_SFT_LIMITS[f.key].max}
              value={s.options[f.key]}
              disabled={running}
              onChange={(e) => s.setOption(f.key, Number(e.target.value))}
            />
          </label>
        ))}
        <button type="submit" className="primary" data-testid="sft-start" disabled={running}>
          Fine-tune from scratch (small)
        </button>
        <button type="button" data-testid="sft-cancel" disabled={!running} onClick={s.cancel}>
          Cancel
        </button>
      </form>

      {s.phase === 'data' && s.data && (
        <div className="progress-line" role="status" data-testid="sft-data-progress">
          <progress max={s.data.total} value={s.data.done} aria-label="Expert trajectories generated" />
          <span>
            expert trajectories {s.data.done}/{s.data.total}
          </span>
        </div>
      )}
      {(s.phase === 'training' || s.phase === 'done' || (s.phase === 'cancelled' && s.progress)) && s.progress && (
        <div className="progress-line" role="status" data-testid="sft-train-progress" data-step={s.progress.step}>
          <progress max={s.progress.steps} value={s.progress.step} aria-label="Training steps" />
          <span>
            step <span data-testid="sft-step">{s.progress.step}</span>/{s.progress.steps} · {fmtS(s.progress.elapsedMs)}
            {s.backend && (
              <>
                {' '}
                · <span title={s.backend.reason}>{s.backend.name}</span>
              </>
            )}
          </span>
        </div>
      )}
      {(s.losses.length > 0 || s.phase === 'training') && <LossChart points={s.losses} steps={s.progress?.steps ?? 1} />}

      {s.phase === 'cancelled' && (
        <p className="notice" role="status" data-testid="sft-cancelled">
          Cancelled. The current model is unchanged.
        </p>
      )}
      {s.phase === 'error' && (
        <p className="error" role="alert" data-testid="sft-error">
          {s.error}
        </p>
      )}
      {s.phase === 'done' && s.summary && (
        <div className="notice" role="status" data-testid="sft-done">
          <p>
            Trained {s.summary.steps} steps on {s.summary.examples} examples in {fmtS(s.summary.wallMs)}; final loss {s.summary.finalLoss.toFixed(3)}.
          </p>
          <button type="button" className="primary" data-testid="sft-use" disabled={s.used} onClick={() => void s.useResult()}>
            {s.used ? 'In use in the playground' : 'Use this model in the playground'}
          </button>{' '}
          {s.used && <span className="muted">Save it from the Weights panel to keep it.</span>}
        </div>
      )}
    </section>
  );
}
