/** The turn being generated: its text as it streams in. */
export function StreamingCard({ turn, text }: { turn: number; text: string }) {
  return (
    <article className="turn-card streaming" data-testid="streaming-card" data-turn={turn} aria-busy="true">
      <header className="turn-header">
        <h3>Turn {turn + 1}</h3>
        <span className="badge badge-running">generating…</span>
      </header>
      <pre className="streaming-text" data-testid="streaming-text" aria-live="polite">
        {text}
        <span className="caret" aria-hidden="true">
          ▍
        </span>
      </pre>
    </article>
  );
}
