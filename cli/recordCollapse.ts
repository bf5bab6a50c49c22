/**
 * `npm run demo:record -- <demo-out-dir> [--out public/demo/collapse-recording.json]`
 *
 * Turns a `npm run demo:collapse` output folder (with-tool-reward/ and without-tool-reward/ run
 * folders, results.json; for a sweep, one of its seed-<s>/ folders) into the small recording the
 * page draws, faded, behind the live collapse curves (src/rl/recordedRun.ts): both arms' per-step
 * metrics, a trajectory from the start and from the end of each arm, the settings and the
 * summary. Reads only the samples it uses (a sample file holds its images and can be megabytes).
 * Prints the path, the size and the steps recorded; the file is validated before it is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ARMS, type ArmName } from '../src/rl/collapseSummary';
import { parseRecording, readMetricsLines, recordingFromRunFolders, recordingJson, samplesToRead, type ArmFolderFiles, type Recording } from '../src/rl/recordedRun';
import { runIfMain } from './runMain';

const USAGE = 'usage: npm run demo:record -- <demo:collapse output folder> [--out public/demo/collapse-recording.json]';
export const DEFAULT_OUT = 'public/demo/collapse-recording.json';
/** The shipped file should stay small: the page fetches it on every first visit to the RL view. */
const WARN_BYTES = 100_000;

function readArm(dir: string, arm: ArmName, metrics: string, maxStep: number): ArmFolderFiles {
  const folder = path.join(dir, arm);
  const config = path.join(folder, 'config.json');
  if (!fs.existsSync(config)) throw new Error(`${config} is missing (is ${dir} a demo:collapse output folder?)`);
  const sampleDir = path.join(folder, 'samples');
  const all = fs.existsSync(sampleDir) ? fs.readdirSync(sampleDir).map((f) => `samples/${f}`) : [];
  const samples = samplesToRead(all, maxStep).map((p) => ({ path: p, text: fs.readFileSync(path.join(folder, p), 'utf8') }));
  return { config: fs.readFileSync(config, 'utf8'), metrics, samples };
}

/** The recording of a demo:collapse output folder: its JSON text and, parsed as the page parses it, the recording. */
export function recordFolder(dir: string): { json: string; recording: Recording } {
  if (!fs.existsSync(dir)) throw new Error(`${dir} does not exist`);
  const metrics = Object.fromEntries(
    ARMS.map((a) => {
      const p = path.join(dir, a, 'metrics.jsonl');
      if (!fs.existsSync(p)) throw new Error(`${p} is missing (is ${dir} a demo:collapse output folder?)`);
      return [a, fs.readFileSync(p, 'utf8')];
    }),
  ) as Record<ArmName, string>;
  // The steps both arms finished: samples beyond them are not used, so not read.
  const steps = ARMS.map((a) => readMetricsLines(`${a}/metrics.jsonl`, metrics[a]).map((l) => l.step));
  const n = Math.min(...steps.map((s) => s.length));
  const maxStep = n ? Math.min(...steps.map((s) => s[n - 1]!)) : 0;
  const resultsPath = path.join(dir, 'results.json');
  const rec = recordingFromRunFolders({
    arms: Object.fromEntries(ARMS.map((a) => [a, readArm(dir, a, metrics[a], maxStep)])) as Record<ArmName, ArmFolderFiles>,
    results: fs.existsSync(resultsPath) ? fs.readFileSync(resultsPath, 'utf8') : null,
  });
  const json = recordingJson(rec);
  return { json, recording: parseRecording(json) }; // what the page will do with it
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string', default: DEFAULT_OUT }, help: { type: 'boolean' } } });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new Error('give one demo:collapse output folder');
  const { json, recording: rec } = recordFolder(path.resolve(positionals[0]!));
  const out = path.resolve(values.out!);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, json);
  const bytes = Buffer.byteLength(json);
  console.log(
    `demo:record → ${out}: ${(bytes / 1024).toFixed(1)} KiB, ${rec.settings.steps} steps, seed ${rec.settings.seed}, ` +
      `samples ${rec.arms.A.samples.length} + ${rec.arms.B.samples.length}, bars ${rec.summary.pass ? 'met' : 'not met'}`,
  );
  if (bytes > WARN_BYTES) console.error(`demo:record: warning: ${bytes} bytes is over ${WARN_BYTES}; the page fetches it on first use`);
  return 0;
}

runIfMain(import.meta.url, main, USAGE);
