import { useRef, useState } from 'react';
import { useModel } from '../store/modelStore';
import { formatBytes } from './ModelStatus';

const SOURCE_LABEL = { shipped: 'shipped with the app', saved: 'saved in this browser', upload: 'from your files (not saved)', trained: 'fine-tuned here (not saved)' } as const;

/** The active weights, saving/loading them in IndexedDB, and download/upload as TF.js files. */
export function WeightsPanel() {
  const { info, phase, saved, working, weightsError, notice, progress } = useModel();
  const { loadShipped, loadSavedWeights, saveCurrent, deleteSavedWeights, downloadCurrent, uploadFiles, dismiss } = useModel();
  const [name, setName] = useState('');
  const fileRef = useRef<HTMLInputElement>(null);
  const busy = !!working;
  return (
    <section className="panel" aria-labelledby="weights-heading" data-testid="weights-panel">
      <h2 id="weights-heading">Weights</h2>
      {info ? (
        <dl className="weights-info" data-testid="weights-info">
          <dt>Name</dt>
          <dd data-testid="weights-name">{info.name}</dd>
          <dt>SHA-256</dt>
          <dd>
            <code data-testid="weights-hash" className="hash">
              {info.contentHash}
            </code>
          </dd>
          <dt>Source</dt>
          <dd data-testid="weights-source" data-source={info.source}>
            {SOURCE_LABEL[info.source]}
          </dd>
          <dt>Size</dt>
          <dd>
            {info.preset} preset · {(info.params / 1e6).toFixed(2)} M parameters · {formatBytes(info.bytes)}
          </dd>
          {info.training && (
            <>
              <dt>Training</dt>
              <dd>{info.training}</dd>
            </>
          )}
        </dl>
      ) : (
        <p className="muted">{phase === 'loading' ? 'Loading the shipped weights…' : 'No weights loaded.'}</p>
      )}
      {working && (
        <div className="progress-line" role="status" data-testid="weights-working">
          <progress max={1} value={progress && progress.total > 0 ? progress.loaded / progress.total : undefined} aria-label={working} />
          <span>{working}…</span>
        </div>
      )}
      {weightsError && (
        <p className="error" role="alert" data-testid="weights-error">
          {weightsError} <span className="muted">The current model is unchanged.</span>{' '}
          <button type="button" onClick={dismiss}>
            Dismiss
          </button>
        </p>
      )}
      {notice && !weightsError && (
        <p className="notice" role="status" data-testid="weights-notice">
          {notice}
        </p>
      )}

      <form
        className="toolbar"
        aria-label="Save the current weights"
        onSubmit={(e) => {
          e.preventDefault();
          void saveCurrent(name || info?.name || '').then(() => setName(''));
        }}
      >
        <label>
          Save as
          <input data-testid="save-name" value={name} placeholder={info?.name ?? 'name'} onChange={(e) => setName(e.target.value)} maxLength={80} />
        </label>
        <button type="submit" data-testid="save-weights" disabled={busy || !info}>
          Save in this browser
        </button>
        <button type="button" data-testid="download-weights" disabled={busy || !info} onClick={() => void downloadCurrent()} title="model.json, weights.bin and tokenizer.json">
          Download files
        </button>
        <button type="button" data-testid="load-shipped" disabled={busy} onClick={() => void loadShipped()}>
          Load the shipped weights
        </button>
        <button
          type="button"
          data-testid="load-collapse-start"
          disabled={busy}
          onClick={() => void loadShipped('collapse-start')}
          title="The policy fine-tuned to answer glance questions directly most of the time: the start of the interaction-collapse demo"
        >
          Load the collapse-demo start
        </button>
      </form>

      <div className="toolbar">
        <label>
          Load from files (model.json + weights.bin, optionally tokenizer.json)
          <input
            ref={fileRef}
            data-testid="weights-upload"
            type="file"
            multiple
            accept=".json,.bin,application/json,application/octet-stream"
            disabled={busy}
            onChange={(e) => {
              const files = Array.from(e.target.files ?? []);
              if (files.length) void uploadFiles(files);
              if (fileRef.current) fileRef.current.value = ''; // the same files can be chosen again
            }}
          />
        </label>
      </div>

      <h3>Saved in this browser</h3>
      {saved.length === 0 ? (
        <p className="muted" data-testid="saved-empty">
          Nothing saved yet.
        </p>
      ) : (
        <ul className="saved-weights" data-testid="saved-list">
          {saved.map((s) => (
            <li key={s.key} data-testid="saved-item" data-name={s.key}>
              <span>
                <strong>{s.key}</strong> <code title={s.info.contentHash}>{s.info.contentHash.slice(0, 12)}</code>{' '}
                <span className="muted">
                  {s.info.preset} · {new Date(s.savedAt).toLocaleString()}
                </span>
              </span>
              <button type="button" data-testid="saved-load" disabled={busy} onClick={() => void loadSavedWeights(s.key)} aria-label={`Load ${s.key}`}>
                Load
              </button>
              <button type="button" data-testid="saved-delete" disabled={busy} onClick={() => void deleteSavedWeights(s.key)} aria-label={`Delete ${s.key}`}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
