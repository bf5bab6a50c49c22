import { SftPanel } from './SftPanel';
import { WeightsPanel } from './WeightsPanel';

/** The Model view: the tiny policy's weights and fine-tuning it in the browser (backend: Settings). */
export function ModelView() {
  return (
    <main className="settings model-view" id="view-model" role="tabpanel" aria-labelledby="tab-model">
      <WeightsPanel />
      <SftPanel />
    </main>
  );
}
