import { useEffect, useState } from 'react';
import { isActiveRun, useAgent } from '../store/agentStore';
import { useMedia } from '../store/mediaStore';
import { useModel } from '../store/modelStore';
import { MAX_TURNS, MIN_TURNS, remoteConfigured, useSettings, type PolicyChoice } from '../store/settingsStore';
import { isOracle, POLICY_LABELS } from '../agent/policyFactory';
import { RunStatusLine } from './RunStatusLine';

/** The question, the policy, the run settings and Run / Step / Stop. */
export function AskPanel() {
  const question = useMedia((s) => s.question);
  const setQuestion = useMedia((s) => s.setQuestion);
  const task = useMedia((s) => s.task);
  const source = useMedia((s) => s.source);
  const { policy, setPolicy, maxTurns, setMaxTurns, errorMode, setErrorMode, remote } = useSettings();
  const busy = useAgent((s) => s.busy);
  const live = useAgent((s) => s.live);
  const selectedId = useAgent((s) => s.selectedId);
  const runToEnd = useAgent((s) => s.runToEnd);
  const step = useAgent((s) => s.step);
  const stop = useAgent((s) => s.stop);
  const modelPhase = useModel((s) => s.phase);
  const modelName = useModel((s) => s.info?.name);
  const [turnsDraft, setTurnsDraft] = useState(String(maxTurns));
  useEffect(() => setTurnsDraft(String(maxTurns)), [maxTurns]);

  const generatedQuestion = source === 'generated' && task !== null && question === task.question;
  const oracleBlocked = isOracle(policy) && !generatedQuestion;
  const continuing = isActiveRun(selectedId) && !busy;
  const canStop = live !== null;

  return (
    <section className="panel ask-panel" aria-labelledby="ask-heading">
      <h2 id="ask-heading">Ask</h2>
      <label className="stacked">
        Question
        <textarea
          data-testid="question-input"
          rows={3}
          value={question}
          placeholder="What do you want to know about the image or video?"
          onChange={(e) => setQuestion(e.target.value)}
        />
      </label>
      {source === 'generated' && task && !generatedQuestion && (
        <p className="notice" role="note">
          Your own question: the task&apos;s answer no longer applies (no reward), and the oracle policies are unavailable.
        </p>
      )}
      <div className="run-settings" role="group" aria-label="Run settings">
        <label>
          Policy
          <select data-testid="policy-select" value={policy} onChange={(e) => setPolicy(e.target.value as PolicyChoice)}>
            {(Object.keys(POLICY_LABELS) as PolicyChoice[]).map((p) => (
              <option key={p} value={p}>
                {POLICY_LABELS[p]}
                {p === 'remote' && !remoteConfigured(remote) ? ' — configure in Settings' : ''}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="error-mode">
          <legend>On a Python error</legend>
          <label>
            <input type="radio" name="error-mode" data-testid="error-mode-feed-back" checked={errorMode === 'feed-back'} onChange={() => setErrorMode('feed-back')} />
            feed it back (interactive)
          </label>
          <label>
            <input type="radio" name="error-mode" data-testid="error-mode-end" checked={errorMode === 'end'} onChange={() => setErrorMode('end')} />
            end the episode (RL training)
          </label>
        </fieldset>
        <label>
          Turn budget
          <input
            data-testid="max-turns-input"
            type="number"
            min={MIN_TURNS}
            max={MAX_TURNS}
            value={turnsDraft}
            onChange={(e) => setTurnsDraft(e.target.value)}
            onBlur={() => setMaxTurns(Number(turnsDraft))}
            onKeyDown={(e) => e.key === 'Enter' && setMaxTurns(Number(turnsDraft))}
          />
        </label>
      </div>
      {policy === 'tiny' && (
        <p className={modelPhase === 'ready' ? 'muted' : 'notice'} role="note" data-testid="tiny-note">
          {modelPhase === 'ready'
            ? `Weights: ${modelName ?? 'unnamed'} (change them in the Model view; sampling in Settings).`
            : modelPhase === 'error'
              ? 'The tiny model could not be loaded: load weights in the Model view, or pick another policy.'
              : 'The tiny model is still loading (progress at the top right).'}
        </p>
      )}
      {oracleBlocked && (
        <p className="notice" role="note" data-testid="oracle-note">
          {POLICY_LABELS[policy]} needs a generated task with its own question.
        </p>
      )}
      <div className="toolbar" role="toolbar" aria-label="Agent controls">
        <button type="button" className="primary" data-testid="run-agent" disabled={busy} onClick={() => void runToEnd()}>
          {continuing ? 'Run to the end' : 'Run'}
        </button>
        <button type="button" data-testid="step-agent" disabled={busy} onClick={() => void step()} title="Run one turn, then pause">
          {continuing ? 'Next step' : 'Step'}
        </button>
        <button type="button" data-testid="stop-agent" disabled={!canStop} onClick={stop} title="Cancel the run (interrupts Python)">
          Stop
        </button>
      </div>
      <RunStatusLine />
    </section>
  );
}
