import { lazy, Suspense, type ComponentProps } from 'react';
import type { CodeView } from './CodeView';

// CodeMirror (≈ 100 kB gzipped) is loaded when the first code block is shown, not with the
// first page: a newcomer's first view has no code on it.
const CodeMirrorView = lazy(() => import('./CodeView').then((m) => ({ default: m.CodeView })));

/** CodeView, loaded on first use; until then the code shows as plain preformatted text. */
export function LazyCodeView(props: ComponentProps<typeof CodeView>) {
  const fallback = (
    <pre className={`code-fallback ${props.className ?? ''}`} data-testid={props.testId} aria-label={props.label}>
      {props.code}
    </pre>
  );
  return (
    <Suspense fallback={fallback}>
      <CodeMirrorView {...props} />
    </Suspense>
  );
}
