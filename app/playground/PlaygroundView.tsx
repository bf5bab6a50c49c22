import { AskPanel } from './AskPanel';
import { MediaPanel } from './MediaPanel';
import { RunsList } from './RunsList';
import { TrajectoryView } from './TrajectoryView';

/** The agent playground: media and question on the left, trajectories on the right. */
export function PlaygroundView() {
  return (
    <main className="playground" id="view-playground" role="tabpanel" aria-labelledby="tab-playground">
      <div className="playground-side">
        <MediaPanel />
        <AskPanel />
        <RunsList />
      </div>
      <TrajectoryView />
    </main>
  );
}
