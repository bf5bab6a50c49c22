import type { Trajectory } from '../../src/agent/types';
import { lineDiff } from '../agent/diff';
import { useAgent } from '../store/agentStore';

/** Where a branch departs from its parent: the first differing turn and its code as a diff. */
export function BranchDiff({ parent, branch, at }: { parent: Trajectory; branch: Trajectory; at: number | null }) {
  const select = useAgent((s) => s.select);
  const before = at !== null ? parent.turns[at] : undefined;
  const after = at !== null ? branch.turns[at] : undefined;
  const ops = before && after ? lineDiff(before.code ?? before.text, after.code ?? after.text) : [];
  return (
    <section className="branch-diff" data-testid="branch-diff" aria-label="Difference from the parent trajectory">
      <p>
        Branch of{' '}
        <button type="button" className="link" onClick={() => select(parent.id)} data-testid="goto-parent">
          {parent.id.slice(0, 8)}
        </button>{' '}
        edited at turn {branch.branch!.fromTurn + 1}.{' '}
        {at === null ? (
          'No turn differs (yet).'
        ) : (
          <>
            First differing turn: <strong data-testid="first-diff-turn">{at + 1}</strong>
          </>
        )}
      </p>
      {ops.length > 0 && (
        <details open>
          <summary>
            Turn {at! + 1}: {before!.code !== null && after!.code !== null ? 'code' : 'text'}, parent → branch
          </summary>
          <pre className="diff" data-testid="code-diff">
            {ops.map((d, i) => (
              <div key={i} className={`diff-${d.op}`} data-testid="diff-line" data-op={d.op}>
                {d.op === 'add' ? '+ ' : d.op === 'del' ? '- ' : '  '}
                {d.text}
              </div>
            ))}
          </pre>
        </details>
      )}
      {at !== null && !before && <p className="muted">The parent has no turn {at + 1}.</p>}
      {at !== null && !after && <p className="muted">The branch has no turn {at + 1} (yet).</p>}
    </section>
  );
}
