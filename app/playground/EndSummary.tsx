import type { Trajectory } from '../../src/agent/types';
import { outOfDepth } from '../agent/outOfDepth';
import { formatMs } from '../agent/turnText';

const REASON_TEXT: Record<string, string> = {
  DONE: 'answered',
  EXCEED_MAX_TURNS: 'the turn budget ran out',
  OVER_LENGTH: 'the context grew past its limit',
  EXCEED_MAX_IMAGES: 'too many images in the context',
  ERROR_IN_ACTION: 'an error ended the episode',
  CANCELLED: 'stopped by you',
};

/** How the episode ended, the reward parts, and the ground truth of a generated task. */
export function EndSummary({ trajectory: t }: { trajectory: Trajectory }) {
  if (!t.endReason) return null;
  const r = t.reward;
  const depth = outOfDepth(t);
  return (
    <section className={`end-summary reason-${t.endReason}`} data-testid="end-summary" aria-label="End of the episode">
      <p>
        Ended: <strong data-testid="end-reason">{t.endReason}</strong> <span className="muted">({REASON_TEXT[t.endReason] ?? ''})</span> after{' '}
        {t.turns.length} turn{t.turns.length === 1 ? '' : 's'} · {formatMs(t.wallMs)} · {t.textTokens} text + {t.visualTokens} visual tokens
      </p>
      {t.error && (
        <p className="error" role="alert" data-testid="run-failure">
          {t.error}
        </p>
      )}
      {depth && (
        <p className="notice" role="note" data-testid="out-of-depth">
          {depth.why} The tiny model sees only through these tools, so its answer means “the tools found nothing”, not a
          considered “no”. For open questions about your own photos, a larger model does better: choose the remote policy
          and set any OpenAI-compatible endpoint in Settings (vLLM serving PyVision-Image-7B, Ollama, LM Studio).
        </p>
      )}
      {r && (
        <table className="reward-table" data-testid="reward">
          <tbody>
            <tr>
              <th scope="row">accuracy</th>
              <td data-testid="reward-accuracy">{r.accuracy}</td>
              <th scope="row">tool calls</th>
              <td data-testid="reward-tool-calls">{r.toolCalls}</td>
              <th scope="row">tool bonus</th>
              <td data-testid="reward-bonus">{Number(r.toolBonus.toFixed(4))}</td>
              <th scope="row">total</th>
              <td data-testid="reward-total">{Number(r.total.toFixed(4))}</td>
            </tr>
          </tbody>
        </table>
      )}
      {t.task.answer !== null ? (
        <p>
          Ground truth: <strong data-testid="ground-truth">{t.task.answer}</strong>
        </p>
      ) : (
        <p className="muted">No known answer (your own media or question): no reward.</p>
      )}
    </section>
  );
}
