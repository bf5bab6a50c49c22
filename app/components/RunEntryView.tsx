import type { RunEntry } from '../store/playgroundStore';
import { FigureView } from './FigureView';

const STATUS_LABEL: Record<RunEntry['status'], string> = {
  running: 'running',
  ok: 'ok',
  error: 'error',
  timeout: 'timed out',
  'session-lost': 'session lost',
  stopped: 'stopped',
};

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** Messages come as "Type: text"; the type is already shown in bold. */
function withoutTypePrefix(message: string, type: string): string {
  return message.startsWith(`${type}: `) ? message.slice(type.length + 2) : message;
}

function firstLine(code: string): string {
  const line = code.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? code.split('\n')[0] ?? '';
  return line.length > 80 ? line.slice(0, 77) + '…' : line;
}

/** One run: status, timings, stdout, the error with its traceback, and the figures. */
export function RunEntryView({ entry, index }: { entry: RunEntry; index: number }) {
  const { result, status } = entry;
  return (
    <article className={`run-entry status-${status}`} data-testid="run-result" data-status={status} aria-busy={status === 'running'}>
      <header className="run-header">
        <span className={`badge badge-${status}`} data-testid="run-status">
          {STATUS_LABEL[status]}
        </span>
        <span className="run-title">
          Run {index} <code>{firstLine(entry.code)}</code>
        </span>
        {entry.freshSession && (
          <span className="badge badge-fresh" data-testid="fresh-session" title="A new Python session was opened for this run">
            new session
          </span>
        )}
        {result && (
          <span className="run-time" data-testid="run-wall-time" title="Python time / total time seen by the page">
            {formatMs(result.wallMs)}
            {Math.abs(entry.elapsedMs - result.wallMs) > 50 ? ` / ${formatMs(entry.elapsedMs)} total` : ''}
          </span>
        )}
      </header>
      <details className="run-code">
        <summary>Code</summary>
        <pre>{entry.code}</pre>
      </details>
      {status === 'running' && <p className="muted">Running…</p>}
      {result && result.output !== '' && (
        <pre className="run-output" data-testid="run-output">
          {result.output}
        </pre>
      )}
      {result?.outputTruncated && (
        <p className="notice" data-testid="output-truncated">
          Output truncated: only the first part of the printed text is kept.
        </p>
      )}
      {result?.error && (
        <div className="run-error" data-testid="run-error" data-kind={result.error.kind} role="alert">
          <p>
            <strong data-testid="run-error-type">{result.error.type}</strong>{' '}
            <span data-testid="run-error-message">{withoutTypePrefix(result.error.message, result.error.type)}</span>
          </p>
          {result.error.kind === 'timeout' && <p className="muted">The run was interrupted; the session and its variables are intact.</p>}
          {result.error.kind === 'session-lost' && (
            <p className="muted" data-testid="session-lost-note">
              The Python worker was terminated: this session&apos;s variables are gone. The next run starts a fresh session.
            </p>
          )}
          {result.error.traceback && (
            <details>
              <summary>Traceback</summary>
              <pre data-testid="run-traceback">{result.error.traceback}</pre>
            </details>
          )}
        </div>
      )}
      {result && result.figures.length > 0 && (
        <div className="figures">
          {result.figures.map((f, i) => (
            <FigureView key={i} figure={f} index={i} />
          ))}
        </div>
      )}
      {result && result.figuresDropped > 0 && (
        <p className="notice" data-testid="figures-dropped">
          {result.figuresDropped} more figure(s) were shown but not captured (figure limit reached).
        </p>
      )}
    </article>
  );
}
