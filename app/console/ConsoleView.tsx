import { CodeEditor } from '../components/CodeEditor';
import { ImagePanel } from '../components/ImagePanel';
import { OutputPanel } from '../components/OutputPanel';
import { Toolbar } from '../components/Toolbar';
import { usePlayground } from '../store/playgroundStore';

/** The Python console: an image, an editor and the run log (one interactive session). */
export function ConsoleView() {
  const setCode = usePlayground((s) => s.setCode);
  const run = usePlayground((s) => s.run);
  return (
    <main className="layout" id="view-console" role="tabpanel" aria-labelledby="tab-console">
      <ImagePanel />
      <section className="panel editor-panel" aria-labelledby="code-heading">
        <h2 id="code-heading">Python</h2>
        <CodeEditor initialCode={usePlayground.getState().code} onChange={setCode} onRun={() => void run()} />
        <Toolbar />
      </section>
      <OutputPanel />
    </main>
  );
}
