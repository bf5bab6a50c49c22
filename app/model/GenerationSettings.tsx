import { useEffect, useState } from 'react';
import { GENERATION_LIMITS, useSettings, type GenerationSettings as Gen } from '../store/settingsStore';

const FIELDS: ReadonlyArray<{ key: keyof Gen; label: string; hint: string }> = [
  { key: 'temperature', label: 'Temperature', hint: '0 = greedy (always the most likely token)' },
  { key: 'topP', label: 'Top-p', hint: 'sample only from the smallest set of tokens with this much probability' },
  { key: 'maxNewTokens', label: 'Max tokens per turn', hint: 'generation stops here if no </code> or </answer> came first' },
];

/** One number field; applied on blur or Enter so typing "0." is not clamped mid-way. */
function Field({ k, label, hint }: { k: keyof Gen; label: string; hint: string }) {
  const value = useSettings((s) => s.generation[k]);
  const setGeneration = useSettings((s) => s.setGeneration);
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  const lim = GENERATION_LIMITS[k];
  const apply = () => {
    setGeneration({ [k]: Number(draft) });
    setDraft(String(useSettings.getState().generation[k]));
  };
  return (
    <label title={hint}>
      {label}
      <input
        data-testid={`gen-${k}`}
        type="number"
        min={lim.min}
        max={lim.max}
        step={lim.step}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => e.key === 'Enter' && apply()}
      />
    </label>
  );
}

/** The tiny policy's sampling settings (used by the next run). */
export function GenerationSettings() {
  return (
    <section className="panel" aria-labelledby="generation-heading">
      <h2 id="generation-heading">Tiny model generation</h2>
      <form className="settings-form" onSubmit={(e) => e.preventDefault()}>
        {FIELDS.map((f) => (
          <Field key={f.key} k={f.key} label={f.label} hint={f.hint} />
        ))}
      </form>
    </section>
  );
}
