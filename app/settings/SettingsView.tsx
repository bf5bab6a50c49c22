import { BackendSettings } from '../model/BackendSettings';
import { GenerationSettings } from '../model/GenerationSettings';
import { remoteConfigured, useSettings } from '../store/settingsStore';

/** Settings: the tiny model's backend and sampling, the remote model endpoint (kept only in this browser's localStorage). */
export function SettingsView() {
  const remote = useSettings((s) => s.remote);
  const setRemote = useSettings((s) => s.setRemote);
  const clearRemote = useSettings((s) => s.clearRemote);
  const configured = remoteConfigured(remote);
  return (
    <main className="settings" id="view-settings" role="tabpanel" aria-labelledby="tab-settings">
      <BackendSettings />
      <GenerationSettings />
      <section className="panel" aria-labelledby="remote-heading">
        <h2 id="remote-heading">Remote model</h2>
        <p className="muted">
          Any OpenAI-compatible chat-completions endpoint (vLLM serving Agents-X/PyVision-Image-7B-RL, Ollama, LM Studio). The server must allow requests from
          this page (CORS). These values are stored only in this browser (localStorage) and nothing is sent anywhere until you run the remote policy.
        </p>
        <form className="settings-form" onSubmit={(e) => e.preventDefault()}>
          <label>
            Base URL
            <input
              data-testid="remote-url"
              type="url"
              placeholder="http://127.0.0.1:8000/v1"
              value={remote.baseUrl}
              onChange={(e) => setRemote({ baseUrl: e.target.value })}
              autoComplete="off"
            />
          </label>
          <label>
            Model
            <input data-testid="remote-model" placeholder="Agents-X/PyVision-Image-7B-RL" value={remote.model} onChange={(e) => setRemote({ model: e.target.value })} autoComplete="off" />
          </label>
          <label>
            API key (optional)
            <input data-testid="remote-key" type="password" value={remote.apiKey} onChange={(e) => setRemote({ apiKey: e.target.value })} autoComplete="off" />
          </label>
          <p data-testid="remote-state" className={configured ? 'notice' : 'muted'}>
            {configured ? 'Configured: pick "Remote model" as the policy in the Playground.' : 'Not configured: nothing is sent anywhere.'}
          </p>
          <button type="button" data-testid="remote-clear" onClick={clearRemote}>
            Clear
          </button>
        </form>
      </section>
    </main>
  );
}
