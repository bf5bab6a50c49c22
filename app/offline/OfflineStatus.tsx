import { applyUpdate, useOffline } from './offline';

/** The header's offline pill: caching progress, ready, or a new version to switch to. */
export function OfflineStatus() {
  const { state, loaded, total, message } = useOffline();
  if (state === 'unavailable') return <span hidden data-testid="offline-status" data-state={state} />;
  const pct = total > 0 ? Math.round((loaded / total) * 100) : 0;
  return (
    <span className={`offline-status offline-${state}`} data-testid="offline-status" data-state={state} role="status">
      {state === 'installing' && (
        <>
          <span>Saving for offline use</span>
          <progress max={1} value={total > 0 ? loaded / total : undefined} aria-label="Offline cache progress" />
          <span className="muted">{pct}%</span>
        </>
      )}
      {state === 'ready' && (
        <span className="badge" title="Python, the policy and training work without a network from now on.">
          works offline
        </span>
      )}
      {state === 'update' && (
        <button type="button" className="small" data-testid="apply-update" onClick={applyUpdate} title="A new version of the app has been downloaded.">
          New version: reload
        </button>
      )}
      {state === 'error' && (
        <span className="badge badge-error" title={message ?? ''}>
          not available offline
        </span>
      )}
    </span>
  );
}
