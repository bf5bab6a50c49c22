import { useEffect, useRef } from 'react';
import { usePlayground } from '../store/playgroundStore';
import { RunEntryView } from './RunEntryView';

/** The run log: every run's result plus notes about session changes, newest at the bottom. */
export function OutputPanel() {
  const log = usePlayground((s) => s.log);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'nearest' });
  }, [log]);

  let runNumber = 0;
  return (
    <section className="panel output-panel" aria-labelledby="output-heading" data-testid="output-panel">
      <h2 id="output-heading">Output</h2>
      {log.length === 0 && <p className="muted">Run the code to see printed text, errors and figures here.</p>}
      {log.map((entry) =>
        entry.kind === 'note' ? (
          <p key={entry.id} className="log-note" data-testid="log-note">
            {entry.text}
          </p>
        ) : (
          <RunEntryView key={entry.id} entry={entry} index={++runNumber} />
        ),
      )}
      <div ref={end} />
    </section>
  );
}
