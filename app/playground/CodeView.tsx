import { python } from '@codemirror/lang-python';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup, minimalSetup } from 'codemirror';
import { useEffect, useRef } from 'react';

interface Props {
  code: string;
  /** Read-only (highlighted view) unless set. */
  editable?: boolean;
  onChange?(code: string): void;
  /** Ctrl/Cmd+Enter while editing. */
  onSubmit?(): void;
  label: string;
  testId: string;
  /** data-testid on the editable content itself (what tests type into). */
  contentTestId?: string;
  className?: string;
}

/**
 * Python shown with CodeMirror: read-only with syntax highlighting in the trajectory viewer, or
 * editable (for re-running a turn). A read-only view follows `code` as it changes.
 */
export function CodeView({ code, editable = false, onChange, onSubmit, label, testId, contentTestId, className }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacks = useRef({ onChange, onSubmit });
  callbacks.current = { onChange, onSubmit };

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      doc: code,
      extensions: [
        Prec.highest(
          keymap.of([
            {
              key: 'Mod-Enter',
              preventDefault: true,
              run: () => {
                callbacks.current.onSubmit?.();
                return true;
              },
            },
          ]),
        ),
        editable ? basicSetup : minimalSetup,
        python(),
        EditorView.lineWrapping,
        EditorState.readOnly.of(!editable),
        EditorView.editable.of(editable),
        EditorView.contentAttributes.of({ 'aria-label': label, ...(contentTestId ? { 'data-testid': contentTestId } : {}) }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) callbacks.current.onChange?.(u.state.doc.toString());
        }),
      ],
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once per mode; text changes are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [editable]);

  useEffect(() => {
    const v = view.current;
    if (!v || editable) return;
    const current = v.state.doc.toString();
    if (current !== code) v.dispatch({ changes: { from: 0, to: current.length, insert: code } });
  }, [code, editable]);

  return <div className={className ?? `code-view${editable ? ' editable' : ''}`} data-testid={testId} ref={host} />;
}
