import { useRef, type KeyboardEvent } from 'react';

export type View = 'playground' | 'model' | 'rl' | 'console' | 'settings';

export const VIEWS: ReadonlyArray<{ id: View; label: string }> = [
  { id: 'playground', label: 'Playground' },
  { id: 'model', label: 'Model' },
  { id: 'rl', label: 'Train (RL)' },
  { id: 'console', label: 'Python console' },
  { id: 'settings', label: 'Settings' },
];

export function viewFromHash(hash: string): View {
  const v = hash.replace(/^#/, '');
  return VIEWS.some((x) => x.id === v) ? (v as View) : 'playground';
}

/** ARIA tabs: arrow keys, Home and End move between them; the view is kept in the URL hash. */
export function ViewTabs({ view, onChange }: { view: View; onChange(v: View): void }) {
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const onKeyDown = (e: KeyboardEvent, i: number) => {
    const n = VIEWS.length;
    const next = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i + n - 1) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    onChange(VIEWS[next]!.id);
    refs.current[next]?.focus();
  };
  return (
    <nav className="view-tabs" role="tablist" aria-label="Views">
      {VIEWS.map((v, i) => (
        <button
          key={v.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={`tab-${v.id}`}
          data-testid={`tab-${v.id}`}
          aria-selected={view === v.id}
          aria-controls={`view-${v.id}`}
          tabIndex={view === v.id ? 0 : -1}
          className={view === v.id ? 'active' : ''}
          onClick={() => onChange(v.id)}
          onKeyDown={(e) => onKeyDown(e, i)}
        >
          {v.label}
        </button>
      ))}
    </nav>
  );
}
