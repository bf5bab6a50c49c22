import { CodeView } from '../playground/CodeView';

interface Props {
  initialCode: string;
  onChange(code: string): void;
  /** Ctrl/Cmd+Enter. */
  onRun(): void;
}

/**
 * The console's Python editor: an editable CodeView that owns its text after creation (the
 * store only mirrors it). Tab is left to focus navigation.
 */
export function CodeEditor({ initialCode, onChange, onRun }: Props) {
  return (
    <CodeView
      code={initialCode}
      editable
      onChange={onChange}
      onSubmit={onRun}
      label="Python code (Ctrl+Enter or Cmd+Enter runs it)"
      testId="code-editor"
      contentTestId="code-input"
      className="code-editor"
    />
  );
}
