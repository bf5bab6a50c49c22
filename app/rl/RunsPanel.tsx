import { useRef } from 'react';
import { useRl } from './rlStore';

const when = (t: number) => new Date(t).toLocaleString();

/** History: select, compare, export, delete; import a run file (validated: a bad file changes nothing). */
export function RunsPanel() {
  const s = useRl();
  const fileInput = useRef<HTMLInputElement>(null);
  const active = new Set(s.session?.runIds ?? []);
  return (
    <section className="panel rl-runs" aria-labelledby="rl-runs-heading" data-testid="rl-runs">
      <h2 id="rl-runs-heading">Runs in this browser</h2>
      <div className="toolbar">
        <button type="button" data-testid="rl-import" onClick={() => fileInput.current?.click()}>
          Import a run…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="rl-import-input"
          aria-label="Run file to import"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void s.importFile(f);
          }}
        />
        <label>
          Compare with{' '}
          <select data-testid="rl-compare" value={s.compareId ?? ''} onChange={(e) => void s.setCompare(e.target.value || null)}>
            <option value="">(none)</option>
            {s.runs
              .filter((r) => r.id !== s.selectedId)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} ({r.step} steps)
                </option>
              ))}
          </select>
        </label>
      </div>
      {!s.runs.length && <p className="muted">No runs yet.</p>}
      <ul className="rl-run-list">
        {s.runs.map((r) => (
          <li key={r.id} data-testid="rl-run" data-run-id={r.id} data-status={r.status} className={r.id === s.selectedId ? 'active' : ''}>
            <button type="button" className="link" aria-pressed={r.id === s.selectedId} onClick={() => void s.select(r.id)}>
              {r.name}
            </button>{' '}
            <span className={`badge rl-status-${r.status}`}>{active.has(r.id) ? (s.session?.phase ?? r.status) : r.status}</span>{' '}
            <span className="muted">
              {r.step}/{r.steps} steps · {when(r.createdAt)}
              {r.weights ? ` · from ${r.weights.name}` : ''}
              {r.checkpointStep !== null ? ` · checkpoint ${r.checkpointStep}` : ''}
            </span>{' '}
            <button type="button" data-testid="rl-export" onClick={() => void s.exportRun(r.id)}>
              Export
            </button>{' '}
            <button
              type="button"
              data-testid="rl-delete"
              disabled={active.has(r.id)}
              onClick={() => {
                if (confirm(`Delete the run "${r.name}" and its checkpoints?`)) void s.remove(r.id);
              }}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
