import { python } from '@codemirror/lang-python';
import { Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';

interface Props {
  initialCode: string;
  onChange(code: string): void;
  /** Ctrl/Cmd+Enter. */
  onRun(): void;
}

/** CodeMirror 6 Python editor. Tab is left to focus navigation (Esc is not needed to leave). */
export function CodeEditor({ initialCode, onChange, onRun }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onChange, onRun });
  callbacks.current = { onChange, onRun };

  useEffect(() => {
    if (!host.current) return;
    const view = new EditorView({
      parent: host.current,
      doc: initialCode,
      extensions: [
        Prec.highest(
          keymap.of([
            {
              key: 'Mod-Enter',
              preventDefault: true,
              run: () => {
                callbacks.current.onRun();
                return true;
              },
            },
          ]),
        ),
        basicSetup,
        python(),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'Python code (Ctrl+Enter or Cmd+Enter runs it)', 'data-testid': 'code-input' }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
        }),
      ],
    });
    return () => view.destroy();
    // The editor owns its text after creation; the store only mirrors it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return <div className="code-editor" data-testid="code-editor" ref={host} />;
}
