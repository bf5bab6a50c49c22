import type { Trajectory } from '../../src/agent/types';
import { firstDifferingTurn } from '../agent/diff';
import { useAgent } from '../store/agentStore';
import { useSettings } from '../store/settingsStore';
import { BranchDiff } from './BranchDiff';
import { EndSummary } from './EndSummary';
import { FetchedFrames } from './FetchedFrames';
import { HumanComposer } from './HumanComposer';
import { StreamingCard } from './StreamingCard';
import { TokenLegend } from './TokenText';
import { TurnCard } from './TurnCard';

function Header({ t }: { t: Trajectory }) {
  const m = t.task.media;
  return (
    <header className="trajectory-header">
      <h2 id="trajectory-heading">
        Trajectory <code>{t.id.slice(0, 8)}</code>
      </h2>
      <p className="question" data-testid="trajectory-question">
        {t.task.question || <span className="muted">(no question)</span>}
      </p>
      <p className="muted">
        task <code>{t.task.id}</code>
        {t.task.difficulty ? ` (${t.task.difficulty})` : ''} · {m.kind} {m.width}×{m.height}
        {m.kind === 'video' ? `, ${m.frameCount} frames at ${Number((m.fps ?? 0).toFixed(3))} fps` : ''} · policy {t.policy.name} · budget {t.config.maxTurns} turns ·
        errors {t.config.errorMode === 'end' ? 'end the episode' : 'are fed back'}
      </p>
      {m.kind === 'video' && <FetchedFrames id={t.id} />}
    </header>
  );
}

/** The selected trajectory, turn by turn, with the streaming turn and the human composer. */
export function TrajectoryView() {
  const t = useAgent((s) => (s.selectedId ? s.trajectories[s.selectedId] : undefined));
  const parent = useAgent((s) => (t?.branch ? s.trajectories[t.branch.parentId] : undefined));
  const live = useAgent((s) => (t && s.live?.id === t.id ? s.live : null));
  const busy = useAgent((s) => s.busy);
  const colorTokens = useSettings((s) => s.colorTokens);
  const setColorTokens = useSettings((s) => s.setColorTokens);
  if (!t) {
    return (
      <section className="panel trajectory-panel" aria-label="Trajectory">
        <p className="muted">Run the agent (or import a trajectory) to see its turns here.</p>
      </section>
    );
  }
  const diffAt = parent ? firstDifferingTurn(parent, t) : null;
  const editable = !busy && !live;
  const hasLogprobs = t.turns.some((turn) => !!turn.tokens.logprobs?.length);
  return (
    <section className="panel trajectory-panel" data-testid="trajectory" data-id={t.id} data-end-reason={t.endReason ?? ''} aria-labelledby="trajectory-heading">
      <Header t={t} />
      {hasLogprobs && (
        <div className="token-controls">
          <label>
            <input type="checkbox" data-testid="color-tokens" checked={colorTokens} onChange={(e) => setColorTokens(e.target.checked)} />
            Colour tokens by log-probability
          </label>
          {colorTokens && <TokenLegend />}
        </div>
      )}
      {parent && <BranchDiff parent={parent} branch={t} at={diffAt} />}
      {t.branch && !parent && <p className="muted">Branched from a trajectory that is no longer here (turn {t.branch.fromTurn + 1}).</p>}
      {t.turns.map((turn) => (
        <TurnCard key={turn.index} trajectory={t} turn={turn} firstDiff={diffAt === turn.index} canEdit={editable} colorTokens={colorTokens} />
      ))}
      {live && live.phase !== 'paused' && live.turn === t.turns.length && <StreamingCard turn={live.turn} text={live.streaming} />}
      {live && <HumanComposer />}
      <EndSummary trajectory={t} />
    </section>
  );
}
