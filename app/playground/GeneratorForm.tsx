import type { Difficulty } from '../../src/tasks/types';
import { GENERATED_FAMILIES, type GeneratedFamily } from '../agent/core';
import { useMedia } from '../store/mediaStore';

const DIFFICULTIES: Array<Difficulty | 'any'> = ['any', 'small', 'medium', 'large'];

function difficultyLabel(family: GeneratedFamily, d: Difficulty | 'any'): string {
  if (d === 'any') return 'mixed';
  if (family === 'video-events') return { small: 'short event', medium: 'medium event', large: 'long event' }[d];
  if (family === 'counting') return { small: 'small objects', medium: 'medium objects', large: 'large objects' }[d];
  return { small: 'small target (needs tools)', medium: 'medium target', large: 'large target' }[d];
}

/** Generate a task: family, seed and (where it applies) the difficulty bucket. */
export function GeneratorForm() {
  const gen = useMedia((s) => s.gen);
  const setGen = useMedia((s) => s.setGen);
  const generate = useMedia((s) => s.generate);
  const busy = useMedia((s) => s.progress !== null);
  const family = GENERATED_FAMILIES.find((f) => f.family === gen.family);
  return (
    <form
      className="generator"
      aria-label="Generate a task"
      onSubmit={(e) => {
        e.preventDefault();
        void generate();
      }}
    >
      <label>
        Task
        <select data-testid="gen-family" value={gen.family} onChange={(e) => setGen({ family: e.target.value as GeneratedFamily })}>
          {GENERATED_FAMILIES.map((f) => (
            <option key={f.family} value={f.family}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Seed
        <input
          data-testid="gen-seed"
          type="number"
          min={0}
          step={1}
          value={gen.seed}
          onChange={(e) => setGen({ seed: Math.max(0, Math.floor(Number(e.target.value) || 0)) })}
        />
      </label>
      {family?.difficulty && (
        <label>
          Difficulty
          <select data-testid="gen-difficulty" value={gen.difficulty} onChange={(e) => setGen({ difficulty: e.target.value as Difficulty | 'any' })}>
            {DIFFICULTIES.map((d) => (
              <option key={d} value={d}>
                {difficultyLabel(gen.family, d)}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" className="primary" data-testid="generate-button" disabled={busy}>
        Generate
      </button>
    </form>
  );
}
