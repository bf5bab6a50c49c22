import { useEffect, useMemo, useState } from 'react';
import type { Trajectory } from '../../src/agent/types';
import type { GroupFate, MemberFate } from '../../src/rl/grpo';
import type { StepTokens } from '../../workers/rl/protocol';
import { TurnCard } from '../playground/TurnCard';
import { EndSummary } from '../playground/EndSummary';
import { AdvantageLegend, AdvantageTokens } from './AdvantageTokens';
import { emptyRunData, loadSample, loadStepTokens, sampleId } from './runData';
import { useRl } from './rlStore';

const GROUP_FATE: Record<GroupFate, string> = {
  kept: 'kept: trained on',
  'all-correct': 'dropped: every rollout was correct (zero variance, no signal)',
  'all-wrong': 'dropped: every rollout was wrong (zero variance, no signal)',
  broken: 'dropped: no unbroken rollout left',
  'no-image': 'dropped: no rollout got an image back from a tool',
  surplus: 'dropped: ranked below the prompts per step (smaller reward std)',
};

const MEMBER_FATE: Record<MemberFate, string> = {
  kept: 'kept',
  broken: 'dropped: broken interaction',
  'no-image': 'dropped: no tool returned an image',
  'group-dropped': 'dropped with its group',
};

const f3 = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : '–');

/** Browse any logged step: its GRPO groups, each rollout's reward parts, advantages and fate. */
export function GroupInspector() {
  const runId = useRl((s) => s.selectedId);
  const data = useRl((s) => (s.selectedId ? s.data[s.selectedId] : undefined)) ?? emptyRunData();
  const steps = useMemo(() => Object.keys(data.groups).map(Number).sort((a, b) => a - b), [data.groups]);
  const [picked, setPicked] = useState<number | null>(null);
  const step = picked !== null && steps.includes(picked) ? picked : (steps[steps.length - 1] ?? null);
  const groups = step !== null ? (data.groups[step] ?? []) : [];
  const [groupIndex, setGroupIndex] = useState(0);
  const group = groups.find((g) => g.index === groupIndex) ?? groups[0] ?? null;
  const [memberId, setMemberId] = useState<string | null>(null);
  const member = group?.members.find((m) => m.id === memberId) ?? group?.members[0] ?? null;
  const [tokens, setTokens] = useState<StepTokens | null>(null);
  const [sample, setSample] = useState<Trajectory | null>(null);
  const samplePath = step !== null && member ? (data.samples[step] ?? []).find((p) => sampleId(p) === member.id) : undefined;

  useEffect(() => {
    setTokens(null);
    if (runId && step !== null) void loadStepTokens(runId, step).then(setTokens, () => setTokens(null));
  }, [runId, step]);
  useEffect(() => {
    setSample(null);
    if (runId && samplePath) void loadSample(runId, samplePath).then(setSample, () => setSample(null));
  }, [runId, samplePath]);

  if (!runId || step === null) {
    return (
      <section className="panel" aria-label="GRPO group inspector">
        <p className="muted">The group inspector fills in after the first step.</p>
      </section>
    );
  }
  // Colours are relative to the group's largest |A| (1 when every advantage is 0).
  const scale = Math.max(0, ...(group?.members.map((m) => Math.abs(m.trainAdvantage)) ?? [])) || 1;
  return (
    <section className="panel rl-inspector" aria-labelledby="rl-inspector-heading" data-testid="rl-inspector" data-step={step}>
      <h2 id="rl-inspector-heading">GRPO groups</h2>
      <label className="rl-step-slider">
        Step <strong data-testid="rl-inspect-step">{step}</strong>
        <input
          type="range"
          data-testid="rl-step-slider"
          aria-label="Step to inspect"
          min={0}
          max={steps.length - 1}
          value={steps.indexOf(step)}
          onChange={(e) => setPicked(steps[Number(e.target.value)] ?? null)}
        />
        <span className="muted">of {steps.length} logged</span>
      </label>
      <div className="rl-groups" role="group" aria-label="Groups of this step">
        {groups.map((g) => (
          <button
            key={g.index}
            type="button"
            aria-pressed={group?.index === g.index}
            data-testid="rl-group"
            data-fate={g.fate}
            className={`rl-group rl-fate-${g.fate}${group?.index === g.index ? ' active' : ''}`}
            onClick={() => {
              setGroupIndex(g.index);
              setMemberId(null);
            }}
          >
            #{g.index + 1} {g.fate}
            {g.rank !== null ? ` · rank ${g.rank}` : ''} · R̄ {f3(g.mean)} · σ {f3(g.std)}
          </button>
        ))}
      </div>
      {group && (
        <div data-testid="rl-group-detail" data-fate={group.fate}>
          <p>
            Task <code>{group.taskId}</code> ({group.members[0]?.suite}) — <strong data-testid="rl-group-fate">{GROUP_FATE[group.fate]}</strong>. Advantages are
            computed on the whole group before filtering: A = R − {f3(group.mean)}
            {group.std > 0 ? `; normalised: A / (σ = ${f3(group.std)})` : ''}.
          </p>
          <table className="rl-members" data-testid="rl-members">
            <thead>
              <tr>
                <th scope="col">rollout</th>
                <th scope="col">accuracy</th>
                <th scope="col">tool calls</th>
                <th scope="col">tool bonus</th>
                <th scope="col">reward</th>
                <th scope="col">A (raw)</th>
                <th scope="col">A (normalised)</th>
                <th scope="col">turns · end</th>
                <th scope="col">fate</th>
              </tr>
            </thead>
            <tbody>
              {group.members.map((m, i) => (
                <tr key={m.id} data-testid="rl-member" data-fate={m.fate} className={member?.id === m.id ? 'active' : ''}>
                  <td>
                    <button type="button" aria-pressed={member?.id === m.id} aria-label={`Show rollout ${i + 1}`} onClick={() => setMemberId(m.id)}>
                      {i + 1}
                    </button>
                    {(data.samples[step] ?? []).some((p) => sampleId(p) === m.id) && (
                      <span className="badge" title="Saved in full: the turn viewer below shows it">
                        saved
                      </span>
                    )}
                  </td>
                  <td>{m.accuracy}</td>
                  <td>{m.toolCalls}</td>
                  <td>{f3((m.reward ?? 0) - m.accuracy)}</td>
                  <td>{f3(m.reward)}</td>
                  <td>{f3(m.advantage)}</td>
                  <td>{f3(m.normAdvantage)}</td>
                  <td>
                    {m.turns} · {m.endReason ?? '–'}
                    {m.errorType ? ` (${m.errorType})` : ''}
                  </td>
                  <td>
                    {MEMBER_FATE[m.fate]}
                    {m.fate === 'broken' && m.broken ? ` (${m.broken})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {member && (
        <div className="rl-member-view">
          <h3>
            Rollout {group!.members.indexOf(member) + 1}: tokens coloured by the advantage they are trained with ({f3(member.trainAdvantage)})
          </h3>
          <AdvantageLegend scale={scale} />
          {tokens?.[member.id] ? (
            <AdvantageTokens turns={tokens[member.id]!} advantage={member.trainAdvantage} scale={scale} trained={member.fate === 'kept'} />
          ) : (
            <p className="muted">No token view was saved for this step.</p>
          )}
          {member.fate !== 'kept' && <p className="muted">This rollout was not trained on: its tokens get no gradient (shown neutral).</p>}
          {sample ? (
            <details className="rl-sample" data-testid="rl-sample">
              <summary>Full trajectory (saved sample): turns, code, output, figures</summary>
              {sample.turns.map((turn) => (
                <TurnCard key={turn.index} trajectory={sample} turn={turn} firstDiff={false} canEdit={false} />
              ))}
              <EndSummary trajectory={sample} />
            </details>
          ) : (
            <p className="muted">Only {'"'}saved trajectories per step{'"'} are kept in full (turn viewer); pick a rollout marked kept with the highest or lowest advantage.</p>
          )}
        </div>
      )}
    </section>
  );
}
