import { useEffect } from 'react';
import { CodeEditor } from './components/CodeEditor';
import { ImagePanel } from './components/ImagePanel';
import { OutputPanel } from './components/OutputPanel';
import { StatusBar } from './components/StatusBar';
import { Toolbar } from './components/Toolbar';
import { usePlayground } from './store/playgroundStore';

export function App() {
  const init = usePlayground((s) => s.init);
  const setCode = usePlayground((s) => s.setCode);
  const run = usePlayground((s) => s.run);

  useEffect(() => init(), [init]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          PyVision <span className="muted">Playground</span>
        </h1>
        <StatusBar />
      </header>
      <main className="layout">
        <ImagePanel />
        <section className="panel editor-panel" aria-labelledby="code-heading">
          <h2 id="code-heading">Python</h2>
          <CodeEditor initialCode={usePlayground.getState().code} onChange={setCode} onRun={() => void run()} />
          <Toolbar />
        </section>
        <OutputPanel />
      </main>
    </div>
  );
}
