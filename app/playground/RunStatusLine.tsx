import { useAgent } from '../store/agentStore';
import { usePlayground } from '../store/playgroundStore';
import { Progress } from './Progress';

/** What the active run is doing now, with a progress bar while it waits. */
export function RunStatusLine() {
  const live = useAgent((s) => s.live);
  const busy = useAgent((s) => s.busy);
  const human = useAgent((s) => s.human);
  const notice = useAgent((s) => s.notice);
  const dismiss = useAgent((s) => s.dismissNotice);
  const runtime = usePlayground((s) => s.status);
  const maxTurns = useAgent((s) => (s.live ? s.trajectories[s.live.id]?.config.maxTurns : undefined));
  let line: string | null = null;
  if (live) {
    const turn = `turn ${live.turn + 1}${maxTurns ? ` of ${maxTurns}` : ''}`;
    if (human) line = `Your turn (${turn}): write it below the trajectory.`;
    else if (live.phase === 'paused') line = `Paused before ${turn}: Step or Run to continue.`;
    else if (live.phase === 'executing') line = `Running the Python of ${turn}…`;
    else if (live.phase === 'starting') line = 'Starting…';
    else line = `Generating ${turn}…`;
  }
  return (
    <div className="run-status" data-testid="agent-status" data-phase={live ? (human ? 'human' : live.phase) : 'idle'}>
      {busy && live && !human && runtime.phase === 'loading' && <Progress value={runtime.progress} label="Loading Python…" testId="agent-python-progress" />}
      {busy && live && !human && runtime.phase !== 'loading' && <Progress label={line ?? ''} testId="agent-progress" />}
      {(!busy || human) && line && <p className="muted">{line}</p>}
      {notice && (
        <p className={notice.kind === 'error' ? 'error' : 'notice'} data-testid="agent-notice" role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}{' '}
          <button type="button" className="link" onClick={dismiss} aria-label="Dismiss">
            ×
          </button>
        </p>
      )}
    </div>
  );
}
