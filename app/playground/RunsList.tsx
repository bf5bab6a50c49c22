import type { Trajectory } from '../../src/agent/types';
import { useAgent } from '../store/agentStore';
import { TrajectoryFiles } from './TrajectoryFiles';

interface Node {
  t: Trajectory;
  n: number;
  children: Node[];
}

function buildTree(order: string[], all: Record<string, Trajectory>): Node[] {
  const nodes = new Map<string, Node>();
  order.forEach((id, i) => all[id] && nodes.set(id, { t: all[id]!, n: i + 1, children: [] }));
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.t.branch ? nodes.get(node.t.branch.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

function Item({ node, depth }: { node: Node; depth: number }) {
  const selectedId = useAgent((s) => s.selectedId);
  const liveId = useAgent((s) => s.live?.id);
  const select = useAgent((s) => s.select);
  const remove = useAgent((s) => s.remove);
  const saved = useAgent((s) => !!s.saved[node.t.id]);
  const { t } = node;
  const status = t.endReason ?? (liveId === t.id ? 'running' : 'unfinished');
  const selected = selectedId === t.id;
  return (
    <li data-testid="run-item" data-id={t.id} data-depth={depth} data-branch-of={t.branch?.parentId ?? ''} data-saved={saved}>
      <div className={`run-item${selected ? ' selected' : ''}`}>
        <button type="button" className="run-select" aria-current={selected ? 'true' : undefined} onClick={() => select(t.id)} data-testid="run-select">
          <strong>#{node.n}</strong> {t.branch ? `↳ edit at turn ${t.branch.fromTurn + 1} · ` : ''}
          {t.policy.kind} · {t.task.id} · {t.turns.length} turn{t.turns.length === 1 ? '' : 's'} ·{' '}
          <span className={`reason reason-${status}`}>{status}</span>
          {t.reward ? ` · R=${Number(t.reward.total.toFixed(2))}` : ''}
          {saved && (
            <span className="muted" title="Saved in this browser: kept across reloads">
              {' '}
              · saved
            </span>
          )}
        </button>
        <button type="button" className="link" aria-label={`Delete trajectory #${node.n}`} onClick={() => remove(t.id)} disabled={liveId === t.id}>
          ×
        </button>
      </div>
      {node.children.length > 0 && (
        <ul className="run-tree">
          {node.children.map((c) => (
            <Item key={c.t.id} node={c} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** Every trajectory of this page (and the saved ones) as a tree: branches under their parent. */
export function RunsList() {
  const order = useAgent((s) => s.order);
  const all = useAgent((s) => s.trajectories);
  const restoring = useAgent((s) => s.restoring);
  const roots = buildTree(order, all);
  return (
    <section className="panel runs-panel" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Trajectories &amp; branches</h2>
      {restoring && (
        <p className="muted" role="status">
          <progress max={restoring.total} value={restoring.done} aria-label="Restoring saved trajectories" /> Restoring saved trajectories…
        </p>
      )}
      {roots.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ul className="run-tree" data-testid="runs-list">
          {roots.map((node) => (
            <Item key={node.t.id} node={node} depth={0} />
          ))}
        </ul>
      )}
      <TrajectoryFiles />
    </section>
  );
}
