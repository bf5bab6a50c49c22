/**
 * A trajectory's tokens as the GRPO update sees them: every token the policy sampled carries the
 * trajectory's advantage (green: pushed up, red: pushed down, stronger with |A|); the
 * interpreter's output between turns is context only (grey, masked out of the loss).
 */
import type { TokenTurn } from '../../workers/rl/protocol';

/** Background for an advantage, relative to the largest |A| in view. */
export function advantageColor(a: number, scale: number): string {
  if (!Number.isFinite(a) || a === 0 || scale <= 0) return 'hsl(0 0% 92%)';
  const t = Math.min(1, Math.abs(a) / scale);
  const light = Math.round(94 - 30 * t);
  return a > 0 ? `hsl(120 60% ${light}%)` : `hsl(0 70% ${light}%)`;
}

export function AdvantageTokens({ turns, advantage, scale, trained }: { turns: TokenTurn[]; advantage: number; scale: number; trained: boolean }) {
  const bg = advantageColor(trained ? advantage : 0, scale);
  const n = turns.reduce((k, t) => k + t.pieces.length, 0);
  return (
    <div className="adv-tokens" data-testid="adv-tokens" data-advantage={advantage.toFixed(4)} aria-label={`${n} sampled tokens, advantage ${advantage.toFixed(3)}${trained ? '' : ' (not trained on)'}`}>
      {turns.map((t, i) => (
        <div key={i} className="adv-turn">
          <span className="muted">turn {i + 1}</span>
          <pre className="token-text">
            {t.pieces.map((p, j) => (
              <span key={j} data-testid="adv-token" style={{ background: bg }} title={`${JSON.stringify(p)} · A = ${advantage.toFixed(3)}${t.logprobs[j] !== undefined ? ` · log p = ${t.logprobs[j]}` : ''}`}>
                {p}
              </span>
            ))}
          </pre>
          {t.observation !== null && (
            <pre className="token-text adv-masked" title="Interpreter output: attended to, masked out of the loss">
              {t.observation || '(no output)'}
              {t.images ? `\n[${t.images} image${t.images > 1 ? 's' : ''}]` : ''}
            </pre>
          )}
        </div>
      ))}
    </div>
  );
}

export function AdvantageLegend({ scale }: { scale: number }) {
  const stops = [-scale, -scale / 2, 0, scale / 2, scale];
  return (
    <div className="token-legend" aria-label="Advantage colour scale">
      <span className="muted">advantage:</span>
      {stops.map((a, i) => (
        <span key={i} className="token-legend-swatch" style={{ background: advantageColor(a, scale) }}>
          {a.toFixed(2)}
        </span>
      ))}
      <span className="token-legend-swatch adv-masked">observation (no loss)</span>
    </div>
  );
}
