import { useRef } from 'react';
import { useAgent } from '../store/agentStore';

/** Export the selected trajectory (our record, or OpenAI messages) and import one. */
export function TrajectoryFiles() {
  const selectedId = useAgent((s) => s.selectedId);
  const liveId = useAgent((s) => s.live?.id);
  const exportRecord = useAgent((s) => s.exportRecord);
  const exportMessages = useAgent((s) => s.exportMessages);
  const importFile = useAgent((s) => s.importFile);
  const importError = useAgent((s) => s.importError);
  const input = useRef<HTMLInputElement>(null);
  const canExport = !!selectedId && selectedId !== liveId;
  return (
    <div className="trajectory-files">
      <div className="toolbar" role="toolbar" aria-label="Export and import">
        <button type="button" data-testid="export-record" disabled={!canExport} onClick={() => selectedId && exportRecord(selectedId)}>
          Export record JSON
        </button>
        <button type="button" data-testid="export-messages" disabled={!canExport} onClick={() => selectedId && exportMessages(selectedId)}>
          Export OpenAI messages
        </button>
        <button type="button" data-testid="import-button" onClick={() => input.current?.click()}>
          Import…
        </button>
        <input
          ref={input}
          className="visually-hidden"
          type="file"
          accept=".json,application/json"
          tabIndex={-1}
          aria-label="Import a trajectory file"
          data-testid="import-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void importFile(file);
            e.target.value = '';
          }}
        />
      </div>
      {importError && (
        <p className="error" role="alert" data-testid="import-error">
          {importError}
        </p>
      )}
    </div>
  );
}
