import { lazy, Suspense, useEffect, useState } from 'react';
import { ModelStatus } from './model/ModelStatus';
import { offlineSettled } from './offline/offline';
import { OfflineStatus } from './offline/OfflineStatus';
import { PlaygroundView } from './playground/PlaygroundView';
import { StatusBar } from './components/StatusBar';
import { viewFromHash, ViewTabs, type View } from './components/ViewTabs';
import { useAgent } from './store/agentStore';
import { useMedia } from './store/mediaStore';
import { useModel } from './store/modelStore';
import { usePlayground } from './store/playgroundStore';

// Views other than the playground load when first opened: their code (the console's editor,
// the training dashboard's charts, …) is not part of what a newcomer's first page transfers.
const ConsoleView = lazy(() => import('./console/ConsoleView').then((m) => ({ default: m.ConsoleView })));
const ModelView = lazy(() => import('./model/ModelView').then((m) => ({ default: m.ModelView })));
const RlView = lazy(() => import('./rl/RlView').then((m) => ({ default: m.RlView })));
const SettingsView = lazy(() => import('./settings/SettingsView').then((m) => ({ default: m.SettingsView })));

const loading = (
  <p className="muted view-loading" role="status">
    Loading…
  </p>
);

export function App() {
  const init = usePlayground((s) => s.init);
  const initMedia = useMedia((s) => s.init);
  const restore = useAgent((s) => s.restore);
  const initModel = useModel((s) => s.init);
  const [view, setView] = useState<View>(() => viewFromHash(location.hash));
  // The console stays mounted once opened (its editor keeps its text and undo history).
  const [consoleOpened, setConsoleOpened] = useState(view === 'console');
  useEffect(() => {
    if (view === 'console') setConsoleOpened(true);
  }, [view]);

  // Python and the tiny model's weights load on start (progress in the header). On a first
  // visit they wait until the service worker has cached them, so they are downloaded once.
  useEffect(() => void offlineSettled().then(init), [init]);
  useEffect(() => void offlineSettled().then(initModel), [initModel]);
  useEffect(() => {
    initMedia();
    void restore();
  }, [initMedia, restore]);
  useEffect(() => {
    const onHash = () => setView(viewFromHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const change = (v: View) => {
    setView(v);
    history.replaceState(null, '', v === 'playground' ? location.pathname + location.search : `#${v}`);
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          PyVision <span className="muted">Playground</span>
        </h1>
        <ViewTabs view={view} onChange={change} />
        <div className="header-status">
          <StatusBar />
          <ModelStatus />
          <OfflineStatus />
        </div>
      </header>
      <Suspense fallback={loading}>
        {consoleOpened && (
          <div hidden={view !== 'console'}>
            <ConsoleView />
          </div>
        )}
        {view === 'playground' && <PlaygroundView />}
        {view === 'model' && <ModelView />}
        {view === 'rl' && <RlView />}
        {view === 'settings' && <SettingsView />}
      </Suspense>
    </div>
  );
}
