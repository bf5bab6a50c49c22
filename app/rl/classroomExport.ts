/**
 * Gathers the collapse demo's two runs from IndexedDB (metrics, a sample trajectory from the
 * first and the last step that saved one) and downloads the classroom report
 * (src/rl/classroomReport.ts) as one HTML file.
 */
import { classroomReportHtml, type ReportArm, type SampleAt } from '../../src/rl/classroomReport';
import { downloadText } from '../agent/download';
import { loadSample, type RunData } from './runData';
import type { RunMeta } from './runsDb';

async function sampleAtStep(run: RunMeta, data: RunData, step: number | undefined): Promise<SampleAt | null> {
  const path = step === undefined ? undefined : data.samples[step]?.[0];
  if (step === undefined || !path) return null;
  const trajectory = await loadSample(run.id, path);
  return trajectory ? { step, trajectory } : null;
}

async function reportArm(run: RunMeta, data: RunData): Promise<ReportArm> {
  const steps = Object.keys(data.samples)
    .map(Number)
    .filter((s) => data.samples[s]?.length)
    .sort((x, y) => x - y);
  const first = steps[0];
  const last = steps.length > 1 ? steps[steps.length - 1] : undefined;
  return {
    name: run.name,
    config: run.config,
    metrics: data.metrics,
    samples: { start: await sampleAtStep(run, data, first), end: await sampleAtStep(run, data, last) },
  };
}

/** The report's HTML for arms A (with the tool reward) and B (without). */
export async function classroomReportFor(a: RunMeta, da: RunData, b: RunMeta, db: RunData): Promise<string> {
  return classroomReportHtml({
    createdAt: new Date().toISOString(),
    weights: a.weights,
    arms: { A: await reportArm(a, da), B: await reportArm(b, db) },
  });
}

export async function downloadClassroomReport(a: RunMeta, da: RunData, b: RunMeta, db: RunData): Promise<void> {
  downloadText(`collapse-demo-seed-${a.config.seed}.html`, await classroomReportFor(a, da, b, db), 'text/html');
}
