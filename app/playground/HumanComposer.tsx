import { useRef, useState } from 'react';
import { formatAnswer, formatCodeBlock } from '../../src/agent/protocol';
import { useAgent } from '../store/agentStore';

const CODE_TEMPLATE = formatCodeBlock('print(image_clue_0.size)');
const ANSWER_TEMPLATE = formatAnswer('');

/** The human's turn: reasoning plus a code block, or an answer block. Ctrl+Enter submits. */
export function HumanComposer() {
  const human = useAgent((s) => s.human);
  const submit = useAgent((s) => s.submitHuman);
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  if (!human) return null;

  const insert = (snippet: string) => {
    const el = area.current;
    const at = el ? el.selectionStart : text.length;
    const end = el ? el.selectionEnd : text.length;
    const before = text.slice(0, at);
    const glue = before && !before.endsWith('\n') ? '\n' : '';
    const next = before + glue + snippet + text.slice(end);
    setText(next);
    requestAnimationFrame(() => {
      el?.focus();
      const caret = (before + glue + snippet).length;
      el?.setSelectionRange(caret, caret);
    });
  };
  const send = () => {
    if (!text.trim()) return;
    submit(text);
    setText('');
  };

  return (
    <section className="human-composer panel" data-testid="human-composer" aria-labelledby="human-heading">
      <h3 id="human-heading">
        Your turn ({human.turn + 1} of {human.maxTurns})
      </h3>
      <p className="muted">
        Write your reasoning, then one code block (it runs in the trajectory&apos;s Python session) or the final answer block.
      </p>
      <textarea
        ref={area}
        data-testid="human-text"
        rows={9}
        value={text}
        aria-label="Your turn: reasoning and a code block or an answer (Ctrl+Enter submits)"
        aria-keyshortcuts="Control+Enter Meta+Enter"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          }
        }}
        autoFocus
      />
      <div className="toolbar">
        <button type="button" data-testid="insert-code-block" onClick={() => insert(CODE_TEMPLATE)}>
          Insert code block
        </button>
        <button type="button" data-testid="insert-answer-block" onClick={() => insert(ANSWER_TEMPLATE)}>
          Insert answer block
        </button>
        <button type="button" className="primary" data-testid="human-submit" disabled={!text.trim()} onClick={send}>
          Submit (Ctrl+Enter)
        </button>
      </div>
    </section>
  );
}
