import { RL_PRESETS, isRlPreset } from '../../src/rl/config';
import { clampField, FIELD_GROUPS, MIX_FIELDS, setMix, type Field } from './configForm';
import { useRl } from './rlStore';

const PRESET_LABELS: Record<string, string> = {
  test: 'test (tiny, seconds per step)',
  demo: 'demo (a laptop tab)',
  paper: 'paper (group 8; slow)',
  collapse: 'collapse (tuned for the collapse demo)',
};

function FieldInput({ f, disabled }: { f: Field; disabled: boolean }) {
  const form = useRl((s) => s.form);
  const setForm = useRl((s) => s.setForm);
  const id = `rl-${f.id.replace('.', '-')}`;
  if (f.kind === 'bool') {
    return (
      <label className="rl-field rl-check" title={f.help}>
        <input id={id} data-testid={id} type="checkbox" checked={f.get(form)} disabled={disabled} onChange={(e) => setForm(f.set(form, e.target.checked))} />
        {f.label}
      </label>
    );
  }
  return (
    <label className="rl-field" title={f.help}>
      <span>{f.label}</span>
      <input
        id={id}
        data-testid={id}
        type="number"
        min={f.min}
        max={f.max}
        step={f.step}
        value={f.get(form)}
        disabled={disabled}
        onChange={(e) => {
          const v = clampField(f, Number(e.target.value));
          if (!Number.isNaN(v)) setForm(f.set(form, v));
        }}
      />
    </label>
  );
}

/** The run config: a preset, then every switch (hover a field for what it does). */
export function ConfigPanel({ disabled }: { disabled: boolean }) {
  const preset = useRl((s) => s.preset);
  const setPreset = useRl((s) => s.setPreset);
  const form = useRl((s) => s.form);
  const setForm = useRl((s) => s.setForm);
  return (
    <details className="rl-config" open data-testid="rl-config">
      <summary>Run configuration</summary>
      <label className="rl-field rl-preset-field">
        <span>Preset</span>
        <select
          data-testid="rl-preset"
          value={preset}
          disabled={disabled}
          onChange={(e) => {
            if (isRlPreset(e.target.value)) setPreset(e.target.value);
          }}
        >
          {Object.keys(RL_PRESETS).map((p) => (
            <option key={p} value={p}>
              {PRESET_LABELS[p] ?? p}
            </option>
          ))}
        </select>
      </label>
      <div className="rl-config-groups">
        {FIELD_GROUPS.map((g) => (
          <fieldset key={g.title} className="rl-fieldset" disabled={disabled}>
            <legend>{g.title}</legend>
            {g.fields.map((f) => (
              <FieldInput key={f.id} f={f} disabled={disabled} />
            ))}
          </fieldset>
        ))}
        <fieldset className="rl-fieldset" disabled={disabled}>
          <legend>Task mix (weights)</legend>
          {MIX_FIELDS.map(({ suite, description }) => (
            <label key={suite} className="rl-field" title={description}>
              <span>{suite}</span>
              <input
                type="number"
                data-testid={`rl-mix-${suite}`}
                min={0}
                max={1}
                step={0.05}
                value={form.mix[suite] ?? 0}
                onChange={(e) => {
                  const v = Number(e.target.value);
                  if (Number.isFinite(v) && v >= 0) setForm(setMix(form, suite, Math.min(1, v)));
                }}
              />
            </label>
          ))}
        </fieldset>
      </div>
    </details>
  );
}
