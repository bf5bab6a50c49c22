import { usePlayground } from '../store/playgroundStore';

const PHASE_LABEL = {
  idle: 'Python idle',
  loading: 'Loading Python…',
  ready: 'Python ready',
  error: 'Python error',
  disposed: 'Python stopped',
} as const;

/** Runtime status: phase, a progress bar while Pyodide loads, workers and the package set. */
export function StatusBar() {
  const status = usePlayground((s) => s.status);
  const running = usePlayground((s) => s.running);
  const { phase, progress, detail, workers, packages } = status;
  // "1 Python worker ready · <why this package set>": the why goes into the packages pill's
  // tooltip, so the header line stays short enough to be read whole.
  const [headline, ...more] = detail.split(' · ');
  const packageNote = more.join(' · ');
  return (
    <div className={`status-bar phase-${phase}`} data-testid="runtime-status" data-phase={phase} role="status" aria-live="polite">
      <span className="status-dot" aria-hidden="true" />
      <strong data-testid="runtime-phase">{running ? 'Running…' : PHASE_LABEL[phase]}</strong>
      {phase === 'loading' && (
        <progress data-testid="runtime-progress" max={1} value={progress} aria-label="Python loading progress">
          {Math.round(progress * 100)}%
        </progress>
      )}
      <span className="status-detail" data-testid="runtime-detail" title={detail}>
        {headline}
      </span>
      <span className="status-meta">
        workers {workers.ready}/{workers.total}
        {workers.busy > 0 ? ` (${workers.busy} busy)` : ''}
      </span>
      <span
        className="status-packages pill"
        data-testid="runtime-packages"
        title={
          (packages === 'real'
            ? 'numpy, Pillow and matplotlib from a Pyodide package index'
            : packages === 'compat'
              ? "The project's own offline PIL / matplotlib / decord subset"
              : 'Decided once Python is ready') + (packageNote ? ` (${packageNote})` : '')
        }
      >
        packages: {packages ?? '…'}
      </span>
    </div>
  );
}
