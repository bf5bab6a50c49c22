import { useState } from 'react';
import type { Trajectory, TurnRecord } from '../../src/agent/types';
import { formatMs, reasoningOf } from '../agent/turnText';
import { LazyCodeView as CodeView } from './LazyCodeView';
import { ObservationView } from './ObservationView';
import { TokenText } from './TokenText';
import { TurnEditor } from './TurnEditor';

interface Props {
  trajectory: Trajectory;
  turn: TurnRecord;
  /** The first turn that differs from the compared trajectory. */
  firstDiff: boolean;
  canEdit: boolean;
  /** Show the generated text token by token, coloured by log-probability (when the policy gave them). */
  colorTokens?: boolean;
}

/** One turn: reasoning, highlighted code, what it printed and showed, timings and tokens. */
export function TurnCard({ trajectory, turn, firstDiff, canEdit, colorTokens = false }: Props) {
  const [editing, setEditing] = useState(false);
  const reasoning = reasoningOf(turn.text);
  const { pieces, logprobs } = turn.tokens;
  // The token view covers the whole raw text (reasoning and code), so it replaces both.
  const tokenView = colorTokens && !!pieces?.length && !!logprobs?.length;
  return (
    <article
      className={`turn-card${firstDiff ? ' first-diff' : ''}`}
      data-testid="turn-card"
      data-turn={turn.index}
      aria-labelledby={`turn-${trajectory.id}-${turn.index}`}
    >
      <header className="turn-header">
        <h3 id={`turn-${trajectory.id}-${turn.index}`}>Turn {turn.index + 1}</h3>
        {turn.edited && <span className="badge badge-fresh">edited</span>}
        {firstDiff && (
          <span className="badge badge-timeout" data-testid="first-diff-marker">
            differs from here
          </span>
        )}
        {turn.answer !== null && <span className="badge badge-ok">answer</span>}
        {turn.parseError && <span className="badge badge-error">format error</span>}
        <span className="turn-meta" data-testid="turn-timings">
          generated in {formatMs(turn.timings.generateMs)}
          {turn.code !== null ? ` · ran in ${formatMs(turn.timings.executeMs)}` : ''}
        </span>
        <span className="turn-meta" data-testid="turn-tokens">
          {turn.tokens.count} text tokens · {turn.tokens.visual} visual tokens
        </span>
        {canEdit && !editing && (
          <button type="button" data-testid="edit-turn" onClick={() => setEditing(true)}>
            Edit &amp; re-run
          </button>
        )}
      </header>
      {tokenView && <TokenText pieces={pieces!} logprobs={logprobs!} />}
      {!tokenView && reasoning && (
        <p className="turn-text" data-testid="turn-text">
          {reasoning}
        </p>
      )}
      {!tokenView && turn.code !== null && <CodeView code={turn.code} label={`Code of turn ${turn.index + 1}`} testId="turn-code" />}
      {turn.answer !== null && (
        <p className="turn-answer" data-testid="turn-answer">
          Answer: <strong>{turn.answer}</strong>
        </p>
      )}
      {turn.parseError && (
        <p className="error" data-testid="turn-parse-error">
          {turn.parseError}
        </p>
      )}
      {turn.observation && <ObservationView observation={turn.observation} images={trajectory.images} />}
      {editing && <TurnEditor trajectory={trajectory} turn={turn} onClose={() => setEditing(false)} />}
    </article>
  );
}
