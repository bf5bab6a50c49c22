/**
 * `npm run ask -- (--image FILE | --video FILE) --question "…" [--policy tiny|scripted|remote]
 *     [--weights DIR] [--turns N] [--json] [--out DIR] [--url URL --model NAME [--api-key KEY]]
 *     [--temperature T] [--backend wasm|cpu]`
 *
 * One trajectory on your own photo or video, with the app's loop, Python runtime and vision
 * tools (Node): the tiny policy (default: the shipped weights in public/models/tiny, greedy,
 * constrained to well-formed turns), the rule-based scripted planner, or a remote
 * OpenAI-compatible endpoint (vLLM serving PyVision-Image-7B, Ollama, LM Studio). Prints each
 * turn (reasoning, code, output, answer); --json prints one JSON object instead, with at least
 * answer, endReason, turns, toolCalls and seconds. --out writes the figures the tools showed.
 * Images: PNG, JPEG, WebP. Videos: MP4, WebM, AVI (anything ffmpeg reads).
 * Exit status: 0 when the episode ended DONE, 1 when it ended otherwise, 2 on bad input
 * (a missing or undecodable file, a bad flag) with a one-line error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runTrajectory } from '../src/agent/loop';
import { countToolCalls } from '../src/agent/reward';
import { INTERACTIVE_LOOP, type Policy, type Trajectory } from '../src/agent/types';
import { encodePngBytes } from '../src/imaging/codec';
import { selectBackend, type BackendName } from '../src/model/backend';
import { TinyPolicy } from '../src/model/tinyPolicy';
import { Tokenizer } from '../src/model/tokenizer';
import { loadModel, nodeFileHandler } from '../src/model/weights';
import { createRemotePolicy } from '../src/policies/remote';
import { createScriptedExpert } from '../src/policies/scriptedExpert';
import type { FrameProvider, Pixels } from '../src/runtime/types';
import { makeUserTask } from '../src/tasks/userTask';
import { createNodeRuntime } from '../workers/node/nodeRuntime';
import { numberOr } from './args';
import { ffmpegFrameProvider } from './ffmpegVideo';
import { readImageFile } from './imageFile';
import { runIfMain } from './runMain';

const USAGE =
  'usage: npm run ask -- (--image FILE | --video FILE) --question "…" [--policy tiny|scripted|remote] [--weights DIR] [--turns N] [--json] [--out DIR] [--url URL --model NAME [--api-key KEY]] [--temperature T] [--backend wasm|cpu]';

/** A failure the user caused (a file, a flag): one line, exit status 2. */
class InputError extends Error {}

async function loadMedia(image?: string, video?: string): Promise<{ image: Pixels } | { video: FrameProvider }> {
  if (!!image === !!video) throw new InputError('give exactly one of --image FILE or --video FILE');
  const file = (image ?? video)!;
  if (!fs.existsSync(file)) throw new InputError(`no such file: ${file}`);
  try {
    return image ? { image: readImageFile(file) } : { video: await ffmpegFrameProvider(file) };
  } catch (err) {
    throw new InputError(err instanceof Error ? err.message : String(err));
  }
}

async function makePolicy(values: Record<string, string | boolean | undefined>): Promise<{ policy: Policy; release: () => void }> {
  const kind = String(values.policy ?? 'tiny');
  if (kind === 'scripted') return { policy: createScriptedExpert({ strategy: 'toolkit' }), release: () => {} };
  if (kind === 'remote') {
    const url = (values.url as string | undefined) ?? process.env.PYVISION_REMOTE_URL;
    const model = (values.model as string | undefined) ?? process.env.PYVISION_REMOTE_MODEL;
    if (!url || !model) throw new InputError('--policy remote needs --url and --model (or PYVISION_REMOTE_URL and PYVISION_REMOTE_MODEL)');
    return { policy: createRemotePolicy({ baseUrl: url, model, apiKey: (values['api-key'] as string | undefined) ?? process.env.PYVISION_REMOTE_KEY }), release: () => {} };
  }
  if (kind !== 'tiny') throw new InputError(`--policy must be tiny, scripted or remote, got '${kind}'`);
  await selectBackend({ force: (values.backend as BackendName | undefined) ?? 'wasm' });
  const dir = path.resolve(String(values.weights ?? 'public/models/tiny'));
  const { model, meta } = await loadModel(nodeFileHandler(dir)).catch((err: Error) => {
    throw new InputError(`cannot load the tiny policy's weights from ${dir}: ${err.message}`);
  });
  if (!meta.tokenizer) throw new InputError(`${dir}/model.json carries no tokenizer`);
  const tiny = new TinyPolicy(model, Tokenizer.fromJSON(meta.tokenizer), { name: meta.name ?? 'tiny', temperature: numberOr('temperature', values.temperature as string | undefined, 0) });
  return { policy: tiny, release: () => (tiny.dispose(), model.dispose()) };
}

/** The turns as a person reads them. */
function printTrajectory(traj: Trajectory, seconds: number): void {
  const out: string[] = [`question: ${traj.task.question}`, `policy: ${traj.policy.name}`];
  for (const t of traj.turns) {
    out.push('', `── turn ${t.index + 1} ${'─'.repeat(40)}`);
    const reasoning = t.text.split(/<code>|<answer>/)[0]!.trim();
    if (reasoning) out.push(reasoning);
    if (t.code) out.push('code:', ...t.code.split('\n').map((l) => `  ${l}`));
    if (t.observation) {
      const o = t.observation;
      if (o.output.trim()) out.push('output:', ...o.output.trimEnd().split('\n').map((l) => `  ${l}`));
      if (o.error) out.push(`error: ${o.error.message}`);
      if (o.images.length) out.push(`figures: ${o.images.length}`);
    }
    if (t.parseError) out.push(`format error: ${t.parseError}`);
    if (t.answer !== null) out.push(`answer: ${t.answer}`);
  }
  out.push('', `end: ${traj.endReason}${traj.error ? ` (${traj.error})` : ''} · ${countToolCalls(traj.turns)} tool call(s) · ${seconds.toFixed(1)} s`);
  console.log(out.join('\n'));
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      image: { type: 'string' },
      video: { type: 'string' },
      question: { type: 'string' },
      policy: { type: 'string', default: 'tiny' },
      weights: { type: 'string' },
      turns: { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      url: { type: 'string' },
      model: { type: 'string' },
      'api-key': { type: 'string' },
      temperature: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  try {
    const question = (values.question ?? '').trim();
    if (!question) throw new InputError('--question is required');
    const maxTurns = numberOr('turns', values.turns, 6, { int: true, min: 1 });
    const media = await loadMedia(values.image, values.video);
    const task = makeUserTask({ question, ...media, id: 'ask' });
    const { policy, release } = await makePolicy(values);
    const runtime = await createNodeRuntime({ poolSize: 1, packages: 'compat' });
    const started = Date.now();
    let traj: Trajectory;
    try {
      traj = await runTrajectory({ task, policy, runtime, config: { ...INTERACTIVE_LOOP, maxTurns } });
    } finally {
      await runtime.dispose();
      release();
    }
    const seconds = (Date.now() - started) / 1000;
    const last = traj.turns[traj.turns.length - 1];
    if (values.out) {
      fs.mkdirSync(values.out, { recursive: true });
      traj.turns.forEach((t) => t.observation?.images.forEach((img, k) => fs.writeFileSync(path.join(values.out!, `turn${t.index + 1}-figure${k + 1}.png`), encodePngBytes(traj.images[img]!))));
    }
    if (values.json) {
      const turns = traj.turns.map((t) => ({ text: t.text, code: t.code, output: t.observation?.output ?? null, error: t.observation?.error?.message ?? null, figures: t.observation?.images.length ?? 0, answer: t.answer, parseError: t.parseError }));
      console.log(JSON.stringify({ question, answer: traj.endReason === 'DONE' ? (last?.answer ?? null) : null, endReason: traj.endReason, turns, toolCalls: countToolCalls(traj.turns), seconds: Number(seconds.toFixed(2)), policy: traj.policy.name, error: traj.error ?? null }, null, 2));
    } else {
      printTrajectory(traj, seconds);
    }
    return traj.endReason === 'DONE' ? 0 : 1;
  } catch (err) {
    if (err instanceof InputError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

runIfMain(import.meta.url, main, USAGE);
