import { useEffect, useState } from 'react';
import { ConsoleView } from './console/ConsoleView';
import { ModelStatus } from './model/ModelStatus';
import { ModelView } from './model/ModelView';
import { PlaygroundView } from './playground/PlaygroundView';
import { RlView } from './rl/RlView';
import { SettingsView } from './settings/SettingsView';
import { StatusBar } from './components/StatusBar';
import { viewFromHash, ViewTabs, type View } from './components/ViewTabs';
import { useAgent } from './store/agentStore';
import { useMedia } from './store/mediaStore';
import { useModel } from './store/modelStore';
import { usePlayground } from './store/playgroundStore';

export function App() {
  const init = usePlayground((s) => s.init);
  const initMedia = useMedia((s) => s.init);
  const restore = useAgent((s) => s.restore);
  const initModel = useModel((s) => s.init);
  const [view, setView] = useState<View>(() => viewFromHash(location.hash));

  useEffect(() => init(), [init]);
  // The tiny model's weights load on start (progress in the header), beside Python's.
  useEffect(() => void initModel(), [initModel]);
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
        <StatusBar />
        <ModelStatus />
      </header>
      {/* The console stays mounted (its editor keeps its text); the others mount on demand. */}
      <div hidden={view !== 'console'}>
        <ConsoleView />
      </div>
      {view === 'playground' && <PlaygroundView />}
      {view === 'model' && <ModelView />}
      {view === 'rl' && <RlView />}
      {view === 'settings' && <SettingsView />}
    </div>
  );
}
