import { useEffect } from 'react';
import { CollapseDemo } from './CollapseDemo';
import { ConfigPanel } from './ConfigPanel';
import { GroupInspector } from './GroupInspector';
import { MetricsPanel } from './MetricsPanel';
import { RunControls } from './RunControls';
import { RunsPanel } from './RunsPanel';
import { useRl } from './rlStore';

/**
 * The "Train (RL)" view: GRPO on the active tiny model, in a web worker (the page stays
 * responsive), with live curves, the group inspector, the collapse demo and the runs history.
 */
export function RlView() {
  const init = useRl((s) => s.init);
  const busy = useRl((s) => !!s.session);
  const ready = useRl((s) => s.ready);
  useEffect(() => void init(), [init]);
  return (
    <main className="rl-view" id="view-rl" role="tabpanel" aria-labelledby="tab-rl" data-testid="rl-view" data-ready={ready}>
      <RunControls />
      <ConfigPanel disabled={busy} />
      <MetricsPanel />
      <GroupInspector />
      <CollapseDemo />
      <RunsPanel />
    </main>
  );
}
