/**
 * The assistant's text token by token, each coloured by its log-probability under the policy
 * (green: likely, red: unlikely; log p ≤ LOW is the reddest). The exact value is in each token's
 * tooltip and in a screen-reader summary; a legend explains the scale.
 */
export const LOW_LOGPROB = -5;

/** Hue from red (log p ≤ LOW) to green (log p = 0). */
export function logprobColor(lp: number): string {
  const t = Math.max(0, Math.min(1, 1 - lp / LOW_LOGPROB));
  return `hsl(${Math.round(120 * t)} 75% 82%)`;
}

export function TokenText({ pieces, logprobs }: { pieces: string[]; logprobs: number[] }) {
  const n = Math.min(pieces.length, logprobs.length);
  const mean = n ? logprobs.slice(0, n).reduce((a, b) => a + b, 0) / n : 0;
  return (
    <pre className="token-text" data-testid="token-text" aria-label={`${n} tokens, mean log-probability ${mean.toFixed(2)}`}>
      {pieces.slice(0, n).map((piece, i) => {
        const lp = logprobs[i]!;
        return (
          <span key={i} data-testid="token" data-logprob={lp.toFixed(4)} style={{ background: logprobColor(lp) }} title={`${JSON.stringify(piece)}  log p = ${lp.toFixed(3)}  (p = ${Math.exp(lp).toFixed(3)})`}>
            {piece}
          </span>
        );
      })}
    </pre>
  );
}

export function TokenLegend() {
  const stops = [0, -1, -2, -3, -4, -5];
  return (
    <div className="token-legend" data-testid="token-legend" aria-label="Log-probability colour scale">
      <span className="muted">log p:</span>
      {stops.map((lp) => (
        <span key={lp} className="token-legend-swatch" style={{ background: logprobColor(lp) }}>
          {lp === LOW_LOGPROB ? `≤ ${lp}` : lp}
        </span>
      ))}
      <span className="muted">(hover a token for its value)</span>
    </div>
  );
}
