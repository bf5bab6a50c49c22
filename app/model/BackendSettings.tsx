import type { BackendRequest } from '../../src/model/backend';
import { useModel } from '../store/modelStore';
import { useSettings } from '../store/settingsStore';
import { BACKEND_REQUESTS, urlBackend } from './backendRequest';

/** Which TF.js backend runs the tiny model, why, and a control to force one. */
export function BackendSettings() {
  const request = useSettings((s) => s.backend);
  const backend = useModel((s) => s.backend);
  const working = useModel((s) => s.working);
  const applyBackend = useModel((s) => s.applyBackend);
  const fromUrl = urlBackend();
  return (
    <section className="panel" aria-labelledby="backend-heading">
      <h2 id="backend-heading">Model backend</h2>
      <p className="muted">
        The tiny model runs on TensorFlow.js. Automatic picks WebGPU on a hardware GPU, WASM when the GPU is a software fallback (it is faster on the CPU),
        then WebGL, WASM, CPU.
      </p>
      <form className="settings-form" onSubmit={(e) => e.preventDefault()}>
        <label>
          Backend
          <select
            data-testid="backend-select"
            value={request}
            disabled={!!working || !!fromUrl}
            onChange={(e) => void applyBackend(e.target.value as BackendRequest)}
          >
            {BACKEND_REQUESTS.map((b) => (
              <option key={b.id} value={b.id}>
                {b.label}
              </option>
            ))}
          </select>
        </label>
        {fromUrl && <p className="notice">The URL forces {fromUrl} (?backend={fromUrl}).</p>}
        <p data-testid="backend-state">
          {backend ? (
            <>
              Running on <strong data-testid="backend-name">{backend.name}</strong>: <span data-testid="backend-reason">{backend.reason}</span>
            </>
          ) : (
            'No backend started yet.'
          )}
        </p>
      </form>
    </section>
  );
}
