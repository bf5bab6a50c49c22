/** GRPO's arithmetic against hand-computed cases: reward, advantages, filtering, ranking, PPO-clip. */
import { describe, expect, it } from 'vitest';
import { computeReward } from '../agent/reward';
import { makeUserTask } from '../tasks/userTask';
import { noiseImage } from '../model/testHelpers';
import { rlConfig, validateRlConfig } from './config';
import { groupAdvantages, k3, ppoTokenLoss, sampleStd, selectGroups, survivorCount, type GroupInput, type MemberInput } from './grpo';

const FILTER = { zeroVariance: true, broken: true, requireImageObservation: false };

function group(index: number, rewards: number[], over: Partial<MemberInput>[] = []): GroupInput {
  return {
    index,
    taskId: `t${index}`,
    members: rewards.map((reward, i) => ({
      id: `g${index}-${i}`,
      reward,
      accuracy: reward >= 1 ? 1 : 0,
      broken: null,
      imageObservation: true,
      ...over[i],
    })),
  };
}

describe('reward (accuracy + accumulative tool reward)', () => {
  const task = makeUserTask({ question: 'How many?', image: noiseImage(1), answer: '3' });
  it('pays 0.1 per tool call only when the answer is correct', () => {
    expect(computeReward(task, '3', 3, 0.1)).toEqual({ accuracy: 1, toolCalls: 3, toolBonus: 0.30000000000000004, total: 1.3 });
    expect(computeReward(task, '4', 3, 0.1)).toEqual({ accuracy: 0, toolCalls: 3, toolBonus: 0, total: 0 });
    expect(computeReward(task, null, 4, 0.1)!.total).toBe(0); // no answer (an error ended the episode)
    expect(computeReward(task, '3', 4, 0.1)!.total).toBeCloseTo(1.4, 12); // the cap at 4 calls
  });
  it('coefficient 0 turns the bonus off', () => {
    expect(computeReward(task, '3', 3, 0)!.total).toBe(1);
  });
});

describe('advantages', () => {
  it('reward minus the group mean; std (n − 1) only for the normalised form', () => {
    // mean 0.55; squared deviations 0.4225 + 0.2025 + 0.3025 + 0.3025 = 1.23; /3 = 0.41.
    const a = groupAdvantages([1.2, 1, 0, 0]);
    expect(a.mean).toBeCloseTo(0.55, 12);
    expect(a.std).toBeCloseTo(Math.sqrt(0.41), 12);
    expect(a.raw.map((x) => Number(x.toFixed(12)))).toEqual([0.65, 0.45, -0.55, -0.55]);
    expect(a.normalized[0]).toBeCloseTo(0.65 / Math.sqrt(0.41), 5);
    expect(sampleStd([1, 0, 0, 0])).toBeCloseTo(0.5, 12); // (0.5625 + 3·0.0625) / 3 = 0.25
    expect(sampleStd([5])).toBe(0);
  });
});

describe('filtering and ranking', () => {
  // stds (n − 1): C [1.1,0,0,0] 0.55; D [1,0,1,0] 0.57735; E [1.2,1,0,0] 0.64031; F [1,0,0,0] 0.5.
  const groups = () => [
    group(0, [1, 1, 1, 1]), // all correct
    group(1, [0, 0, 0, 0]), // all wrong
    group(2, [1.1, 0, 0, 0]), // C
    group(3, [1, 0, 1, 0], [{}, { broken: 'over-length' }]), // D, one broken member
    group(4, [1.2, 1, 0, 0]), // E
    group(5, [1, 0, 0, 0]), // F
    group(6, [1, 0, 0, 0], [{ broken: 'x' }, { broken: 'x' }, { broken: 'x' }, { broken: 'x' }]), // every member broken
  ];

  it('drops zero-variance groups (all-correct vs all-wrong) and broken trajectories; ranks by std and keeps the top', () => {
    const r = selectGroups(groups(), { keep: 2, stdNormalize: false, rankByStd: true, filter: FILTER });
    expect(r.map((g) => g.fate)).toEqual(['all-correct', 'all-wrong', 'surplus', 'kept', 'kept', 'surplus', 'broken']);
    expect(r.map((g) => g.rank)).toEqual([null, null, 3, 2, 1, 4, null]);
    expect(survivorCount(r)).toBe(4);
    // Advantages are computed on the whole group, the broken member included.
    const d = r[3]!;
    expect(d.members.map((m) => m.advantage)).toEqual([0.5, -0.5, 0.5, -0.5]);
    expect(d.members.map((m) => m.fate)).toEqual(['kept', 'broken', 'kept', 'kept']);
    expect(r[0]!.members.every((m) => m.fate === 'group-dropped')).toBe(true);
    // Without std normalisation the trained advantage is the raw one.
    expect(r[4]!.members.map((m) => Number(m.trainAdvantage.toFixed(12)))).toEqual([0.65, 0.45, -0.55, -0.55]);
  });

  it('without std ranking keeps survivors in rollout order', () => {
    const r = selectGroups(groups(), { keep: 2, stdNormalize: false, rankByStd: false, filter: FILTER });
    expect(r.map((g) => g.fate)).toEqual(['all-correct', 'all-wrong', 'kept', 'kept', 'surplus', 'surplus', 'broken']);
  });

  it('std normalisation divides by the group std; zero-variance filtering can be switched off', () => {
    const r = selectGroups([group(0, [1, 0, 0, 0]), group(1, [1, 1])], { keep: 5, stdNormalize: true, rankByStd: true, filter: { ...FILTER, zeroVariance: false } });
    expect(r[0]!.members[0]!.trainAdvantage).toBeCloseTo(0.75 / 0.5, 5);
    expect(r[0]!.members[1]!.trainAdvantage).toBeCloseTo(-0.25 / 0.5, 5);
    expect(r[1]!.fate).toBe('kept'); // kept, with advantages 0
    expect(r[1]!.members.map((m) => m.trainAdvantage)).toEqual([0, 0]);
  });

  it('optionally drops trajectories where no tool returned an image', () => {
    const g = group(0, [1.1, 0, 0, 0], [{ imageObservation: true }, { imageObservation: false }, { imageObservation: false }, { imageObservation: true }]);
    const none = group(1, [1, 0], [{ imageObservation: false }, { imageObservation: false }]);
    const r = selectGroups([g, none], { keep: 4, stdNormalize: false, rankByStd: true, filter: { ...FILTER, requireImageObservation: true } });
    expect(r[0]!.members.map((m) => m.fate)).toEqual(['kept', 'no-image', 'no-image', 'kept']);
    expect(r[1]!.fate).toBe('no-image');
    const off = selectGroups([none], { keep: 4, stdNormalize: false, rankByStd: true, filter: FILTER });
    expect(off[0]!.fate).toBe('kept');
  });
});

describe('PPO-clip token loss', () => {
  it('takes the pessimistic (max) of the clipped and unclipped surrogate', () => {
    const l = Math.log;
    // A > 0, ratio 1.5: −1.5 vs −1.2 → −1.2 (clipped).
    expect(ppoTokenLoss(l(1.5), 0, 1, 0.2).loss).toBeCloseTo(-1.2, 12);
    expect(ppoTokenLoss(l(1.5), 0, 1, 0.2).clipped).toBe(true);
    // A < 0, ratio 1.5: 1.5 vs 1.2 → 1.5 (not clipped: the ratio moved the wrong way).
    expect(ppoTokenLoss(l(1.5), 0, -1, 0.2)).toEqual({ loss: expect.closeTo(1.5, 12), clipped: false });
    // A > 0, ratio 0.5: −0.5 vs −0.8 → −0.5.
    expect(ppoTokenLoss(l(0.5), 0, 1, 0.2)).toEqual({ loss: expect.closeTo(-0.5, 12), clipped: false });
    // A < 0, ratio 0.5: 0.5 vs 0.8 → 0.8 (clipped).
    expect(ppoTokenLoss(l(0.5), 0, -1, 0.2)).toEqual({ loss: expect.closeTo(0.8, 12), clipped: true });
    // k3 KL: exp(d) − d − 1 with d = ref − θ = ln 2 → 1 − ln 2.
    expect(k3(0, Math.log(2))).toBeCloseTo(1 - Math.log(2), 12);
    expect(k3(0.3, 0.3)).toBe(0);
  });
});

describe('config', () => {
  it('presets validate; the recipe defaults are the paper\'s', () => {
    const c = rlConfig();
    expect(validateRlConfig(c)).toBe(c);
    expect([c.clipEps, c.toolRewardCoef, c.oversample, c.stdNormalize, c.rankByStd, c.klCoef, c.maxTurns]).toEqual([0.2, 0.1, 2, false, true, 0, 5]);
    expect(rlConfig({ preset: 'paper' }).groupSize).toBe(8);
    expect(rlConfig({ filter: { requireImageObservation: true } as never }).filter).toEqual({ ...FILTER, requireImageObservation: true });
    expect(() => validateRlConfig({ ...c, groupSize: 1 })).toThrow(/groupSize/);
  });
});
