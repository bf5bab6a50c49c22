/**
 * One run of the collapse demo's two arms (cli/demoCollapse.ts runs it once per seed): each arm
 * is a normal `npm run train` child process; both start together, stop at --steps or --minutes,
 * and an arm that ends early stops the other at the same step count. Writes both run folders,
 * results.json and collapse.svg into `out`, and returns the summary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RlConfig } from '../src/rl/config';
import { M, type StepMetrics } from '../src/rl/metrics';
import { ARMS, collapseSvg, finite, pathThirds, readGroups, readMetrics, summarize, toolPressure, type ArmName, type DemoSummary, type StepPressure } from './collapseReport';

export interface ArmsRunOptions {
  configs: Record<ArmName, RlConfig>;
  /** The SFT checkpoint both arms start from. */
  init: string;
  out: string;
  minutes: number;
  /** Steps per mean at each end of the comparison. */
  window: number;
  workers: number;
  backend: string;
  /** The command line, recorded in results.json. */
  command: string;
}

export interface ArmsRunResult {
  out: string;
  results: string;
  plot: string;
  wallSeconds: number;
  stepSeconds: Record<string, number | null>;
  meanLoad1: number;
  netToolPressure: Record<string, number>;
  paths: Record<string, ReturnType<typeof pathThirds>>;
  summary: DemoSummary;
  exitCodes: Array<number | null>;
}

const trainCli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'train.ts');

export async function runArms(options: ArmsRunOptions): Promise<ArmsRunResult> {
  const { configs, init, out, minutes, window, workers, backend, command } = options;
  for (const arm of ARMS) if (fs.existsSync(path.join(out, arm))) throw new Error(`--out: ${path.join(out, arm)} already exists; choose a new --out`);
  fs.mkdirSync(out, { recursive: true });
  const initCard = readJsonOrNull(path.join(init, 'card.json'));
  const base = configs['without-tool-reward'];
  const coef = configs['with-tool-reward'].toolRewardCoef;

  const loads: Array<{ t: number; load1: number }> = [];
  const sampleLoad = () => loads.push({ t: Math.round((Date.now() - t0) / 1000), load1: Number(os.loadavg()[0]!.toFixed(2)) });
  const t0 = Date.now();
  sampleLoad();
  const loadTimer = setInterval(sampleLoad, 30_000);
  console.error(
    `demo:collapse → ${out}: 2 arms (tool reward ${coef} vs 0), ${base.steps} steps or ${minutes} min, ${base.promptsPerStep} prompts × ${base.groupSize} rollouts, lr ${base.optim.lr}, ` +
      `std-norm ${base.stdNormalize}, std-rank ${base.rankByStd}, tool failures ${base.toolFailureRate ?? 0}, init ${init}; load ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores`,
  );

  const children = new Map<ArmName, ChildProcess>();
  const exits: Array<Promise<number | null>> = [];
  for (const arm of ARMS) {
    const cfgFile = path.join(out, `${arm}.config.json`);
    fs.writeFileSync(cfgFile, JSON.stringify(configs[arm], null, 1) + '\n');
    const args = [...process.execArgv, trainCli, '--config', cfgFile, '--init', init, '--out', path.join(out, arm), '--python-workers', String(workers), '--backend', backend];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(arm, child);
    let buf = '';
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) console.error(`[${arm}] ${line}`);
      }
    });
    child.stdout!.resume();
    exits.push(new Promise((resolve) => child.on('exit', (code) => resolve(code))));
  }
  let stopping = false;
  const stopAll = (why: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`stopping both arms (${why})…`);
    for (const c of children.values()) if (c.exitCode === null) c.kill('SIGINT');
    // A child that does not finish its checkpoint in time is killed.
    setTimeout(() => {
      for (const c of children.values()) if (c.exitCode === null) c.kill('SIGKILL');
    }, 120_000).unref();
  };
  const deadline = setTimeout(() => stopAll(`${minutes} min reached`), minutes * 60_000);
  const onSignal = () => stopAll('interrupted');
  process.once('SIGINT', onSignal);
  // When one arm finishes its steps early (or fails), stop the other at the same step count.
  const watch = setInterval(() => {
    const done = ARMS.map((a) => children.get(a)!.exitCode !== null);
    if (done.some(Boolean) && !done.every(Boolean)) {
      const n = Math.min(...ARMS.map((a) => readMetrics(path.join(out, a, 'metrics.jsonl')).length));
      const leader = ARMS.find((a) => children.get(a)!.exitCode === null)!;
      if (readMetrics(path.join(out, leader, 'metrics.jsonl')).length > n) stopAll('the other arm has ended');
    }
  }, 5_000);
  const codes = await Promise.all(exits);
  clearTimeout(deadline);
  clearInterval(watch);
  clearInterval(loadTimer);
  process.off('SIGINT', onSignal);
  sampleLoad();
  const wallSeconds = Number(((Date.now() - t0) / 1000).toFixed(1));

  const metrics = Object.fromEntries(ARMS.map((a) => [a, readMetrics(path.join(out, a, 'metrics.jsonl'))])) as Record<ArmName, StepMetrics[]>;
  const summary = summarize(metrics, window);
  const stepSeconds = Object.fromEntries(
    ARMS.map((a) => {
      const xs = metrics[a].map((m) => m[M.timeStep]).filter(finite);
      return [a, xs.length ? Number((xs.reduce((s, x) => s + x, 0) / xs.length / 1000).toFixed(1)) : null];
    }),
  );
  const settings = {
    init,
    initCard: initCard && { name: initCard.name, data: initCard.data, contentHash: initCard.contentHash },
    toolRewardCoef: coef,
    minutes,
    window,
    pythonWorkersPerArm: workers,
    backend,
    command,
  };
  const machine = { cores: os.cpus().length, load1: loads, meanLoad1: Number((loads.reduce((s, l) => s + l.load1, 0) / loads.length).toFixed(2)) };
  const groups = Object.fromEntries(ARMS.map((a) => [a, readGroups(path.join(out, a, 'groups.jsonl'))])) as Record<ArmName, ReturnType<typeof readGroups>>;
  const pressure = Object.fromEntries(ARMS.map((a) => [a, toolPressure(groups[a])])) as Record<ArmName, StepPressure[]>;
  const netPressure = Object.fromEntries(
    ARMS.map((a) => [a, Number(pressure[a].slice(0, summary.comparedSteps).reduce((s, p) => s + p.toolAdvantageSum, 0).toFixed(3))]),
  );
  const paths = Object.fromEntries(ARMS.map((a) => [a, pathThirds(groups[a], summary.comparedSteps)]));
  const results = { settings, configs, summary, netToolPressure: netPressure, paths, stepSeconds, wallSeconds, exitCodes: Object.fromEntries(ARMS.map((a, i) => [a, codes[i]])), machine, metrics, pressure };
  fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1) + '\n');
  const subtitle =
    `${summary.comparedSteps} steps, ${base.promptsPerStep} prompts × ${base.groupSize} rollouts, lr ${base.optim.lr}, coef ${coef} vs 0, ` +
    `std-norm ${base.stdNormalize ? 'on' : 'off'}, std-rank ${base.rankByStd ? 'on' : 'off'}; tool calls end/start: ` +
    `with ${summary.bars.withToolReward.ratio ?? '–'}, without ${summary.bars.withoutToolReward.ratio ?? '–'}`;
  fs.writeFileSync(path.join(out, 'collapse.svg'), collapseSvg(metrics, { subtitle, smooth: window, summary }));
  return { out, results: path.join(out, 'results.json'), plot: path.join(out, 'collapse.svg'), wallSeconds, stepSeconds, meanLoad1: machine.meanLoad1, netToolPressure: netPressure, paths, summary, exitCodes: codes };
}

function readJsonOrNull(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}
