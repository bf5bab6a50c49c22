/** A labelled progress bar (determinate when `value` is a number, indeterminate otherwise). */
export function Progress({ value, label, testId }: { value?: number | null; label: string; testId: string }) {
  return (
    <div className="progress-line" data-testid={testId} role="status" aria-live="polite">
      {value === null || value === undefined ? (
        <progress aria-label={label} />
      ) : (
        <progress aria-label={label} max={1} value={value}>
          {Math.round(value * 100)}%
        </progress>
      )}
      <span>{label}</span>
    </div>
  );
}
