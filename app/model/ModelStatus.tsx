import { useModel } from '../store/modelStore';

export function shortHash(h: string): string {
  return h.length > 12 ? h.slice(0, 12) : h;
}

function pct(p: { loaded: number; total: number }): number | undefined {
  return p.total > 0 ? Math.min(1, p.loaded / p.total) : undefined;
}

export function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.round(n / 1024)} kB`;
}

/**
 * The tiny model in the header: a progress bar while weights load, then their name, content hash
 * and the TF.js backend (hover for why it was chosen).
 */
export function ModelStatus() {
  const { phase, progress, info, backend, loadError, backendLost } = useModel();
  const frac = progress ? pct(progress) : undefined;
  return (
    <div className="model-status" data-testid="model-status" data-phase={phase} role="status" aria-live="polite">
      <strong>Model</strong>
      {phase === 'loading' && (
        <>
          <progress data-testid="model-progress" max={1} value={frac} aria-label="Model weights loading progress" />
          <span className="muted" data-testid="model-progress-label">
            {progress ? `${progress.label}${progress.total > 0 ? ` ${formatBytes(progress.loaded)} / ${formatBytes(progress.total)}` : ''}` : 'starting…'}
          </span>
        </>
      )}
      {phase === 'error' && (
        <span className="error" title={loadError ?? ''} data-testid="model-load-error">
          not loaded
        </span>
      )}
      {info && (
        <span data-testid="model-current" title={`${info.name}\nsha256 ${info.contentHash}`}>
          <span data-testid="model-name">{info.name}</span> <code data-testid="model-hash">{shortHash(info.contentHash)}</code>
        </span>
      )}
      {backend && (
        <span className="badge" data-testid="model-backend" data-backend={backend.name} title={backend.reason}>
          {backend.name}
        </span>
      )}
      {backendLost && (
        <span className="badge badge-warn" data-testid="model-backend-lost" title={backendLost} aria-label={backendLost}>
          GPU lost
        </span>
      )}
    </div>
  );
}
