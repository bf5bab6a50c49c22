import { useEffect, useState } from 'react';
import { MAX_TIMEOUT_MS, MIN_TIMEOUT_MS, usePlayground } from '../store/playgroundStore';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** Run, Stop/Restart, Reset session and the per-run timeout setting. */
export function Toolbar() {
  const running = usePlayground((s) => s.running);
  const imageLoading = usePlayground((s) => s.imageLoading);
  const timeoutMs = usePlayground((s) => s.timeoutMs);
  const run = usePlayground((s) => s.run);
  const stop = usePlayground((s) => s.stop);
  const resetSession = usePlayground((s) => s.resetSession);
  const clearOutput = usePlayground((s) => s.clearOutput);
  const setTimeoutMs = usePlayground((s) => s.setTimeoutMs);
  const [draft, setDraft] = useState(String(timeoutMs / 1000));

  useEffect(() => setDraft(String(timeoutMs / 1000)), [timeoutMs]);

  const commit = () => {
    const seconds = Number(draft);
    if (Number.isFinite(seconds) && draft.trim() !== '') setTimeoutMs(seconds * 1000);
    else setDraft(String(timeoutMs / 1000));
  };

  return (
    <div className="toolbar" role="toolbar" aria-label="Run controls">
      <button
        type="button"
        className="primary"
        onClick={() => void run()}
        disabled={running || imageLoading}
        data-testid="run-button"
        aria-keyshortcuts="Control+Enter Meta+Enter"
        title={`Run (${isMac ? '⌘' : 'Ctrl'}+Enter)`}
      >
        {running ? 'Running…' : 'Run'}
      </button>
      <button
        type="button"
        onClick={stop}
        data-testid="stop-button"
        title={running ? 'Stop: terminate Python (session state is lost)' : 'Restart Python (clears all variables)'}
      >
        {running ? 'Stop' : 'Restart Python'}
      </button>
      <button
        type="button"
        onClick={() => void resetSession()}
        disabled={running}
        data-testid="reset-session"
        title="Clear all variables and re-bind image_clue_0"
      >
        Reset session
      </button>
      <button type="button" onClick={clearOutput} data-testid="clear-output">
        Clear output
      </button>
      <label className="timeout-setting" title="Per-run time limit; a run past it is interrupted">
        Timeout (s)
        <input
          type="number"
          inputMode="decimal"
          min={MIN_TIMEOUT_MS / 1000}
          max={MAX_TIMEOUT_MS / 1000}
          step={0.5}
          value={draft}
          data-testid="timeout-input"
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
          }}
        />
      </label>
    </div>
  );
}
