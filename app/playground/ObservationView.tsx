import type { Observation } from '../../src/agent/types';
import type { Pixels } from '../../src/runtime/types';
import { FigureView } from '../components/FigureView';

/** What the turn's code produced: printed text, the error, the figures (click to enlarge). */
export function ObservationView({ observation, images }: { observation: Observation; images: Pixels[] }) {
  const { output, error } = observation;
  return (
    <div className="observation" data-testid="turn-observation">
      {output !== '' && (
        <pre className="run-output" data-testid="turn-output">
          {output}
        </pre>
      )}
      {observation.outputTruncated && <p className="notice">Output truncated.</p>}
      {error && (
        <div className="run-error" data-testid="turn-error" data-kind={error.kind}>
          <p>
            <strong>{error.type}</strong> {error.message}
          </p>
          {error.traceback && (
            <details>
              <summary>Traceback</summary>
              <pre>{error.traceback}</pre>
            </details>
          )}
        </div>
      )}
      {!output && !error && observation.images.length === 0 && (
        <pre className="run-output muted" data-testid="turn-observation-text">
          {observation.text}
        </pre>
      )}
      {observation.images.length > 0 && (
        <div className="figures">
          {observation.images.map((index, i) => {
            const pixels = images[index];
            return pixels ? <FigureView key={index} figure={{ pixels, titles: [], downscaled: false }} index={i} /> : null;
          })}
        </div>
      )}
      {observation.figuresDropped > 0 && <p className="notice">{observation.figuresDropped} more figure(s) were not captured.</p>}
    </div>
  );
}
