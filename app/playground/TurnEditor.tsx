import { useState } from 'react';
import type { Trajectory, TurnRecord } from '../../src/agent/types';
import { useAgent } from '../store/agentStore';
import { LazyCodeView as CodeView } from './LazyCodeView';

/**
 * Edit a turn's code (or its whole text) and re-run from there: a new branch; the turns before
 * it are replayed, this one uses the edit, then the policy continues. The original stays.
 */
export function TurnEditor({ trajectory, turn, onClose }: { trajectory: Trajectory; turn: TurnRecord; onClose(): void }) {
  const branch = useAgent((s) => s.branch);
  const busy = useAgent((s) => s.busy);
  const [mode, setMode] = useState<'code' | 'text'>(turn.code !== null ? 'code' : 'text');
  const [code, setCode] = useState(turn.code ?? '');
  const [text, setText] = useState(turn.text);
  const submit = () => {
    const edit = mode === 'code' ? { code } : { text };
    onClose();
    void branch(trajectory.id, turn.index, edit);
  };
  return (
    <div className="turn-editor" data-testid="turn-editor" role="group" aria-label={`Edit turn ${turn.index + 1}`}>
      <div className="segmented" role="radiogroup" aria-label="What to edit">
        <label>
          <input type="radio" name={`edit-mode-${turn.index}`} checked={mode === 'code'} onChange={() => setMode('code')} data-testid="edit-mode-code" /> code
        </label>
        <label>
          <input type="radio" name={`edit-mode-${turn.index}`} checked={mode === 'text'} onChange={() => setMode('text')} data-testid="edit-mode-text" /> whole
          text
        </label>
      </div>
      {mode === 'code' ? (
        <CodeView code={code} editable onChange={setCode} onSubmit={submit} label={`Edit the code of turn ${turn.index + 1} (Ctrl+Enter re-runs)`} testId="edit-code" />
      ) : (
        <textarea
          className="edit-text"
          data-testid="edit-text"
          rows={8}
          value={text}
          aria-label={`Edit the text of turn ${turn.index + 1} (Ctrl+Enter re-runs)`}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
        />
      )}
      <div className="toolbar">
        <button type="button" className="primary" data-testid="rerun-from-turn" disabled={busy} onClick={submit}>
          Re-run from turn {turn.index + 1} (new branch)
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </div>
  );
}
