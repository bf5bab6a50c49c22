/**
 * `npm run eval -- --policy tiny` end to end, as a user runs it: a real process loads TF.js
 * weights from a folder (here an untrained test-preset model written by saveModel, since the
 * shipped weights' quality is measured by the eval itself, not by tests) and runs the loop.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_CONFIG } from '../src/model/config';
import { trainTokenizer } from '../src/model/tokenizer';
import { TinyVLM } from '../src/model/transformer';
import { nodeFileHandler, saveModel } from '../src/model/weights';

const repo = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyvision-eval-'));
const weights = path.join(tmp, 'tiny');

function evalCli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), path.join(repo, 'cli/eval.ts'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  const tok = trainTokenizer(['n = count(image_clue_0, colour="red")', '<answer>\n\\boxed{4}\n</answer>'], { vocabSize: TEST_CONFIG.vocabSize });
  const model = TinyVLM.create({ ...TEST_CONFIG, vocabSize: tok.vocabSize }, 3);
  await saveModel(model, nodeFileHandler(weights), { name: 'eval-cli-test', tokenizer: tok.toJSON() });
  model.dispose();
});

describe('npm run eval -- --policy tiny', () => {
  it('loads the weights and the tokenizer from the folder and evaluates every task through the loop', () => {
    const r = evalCli(['--policy', 'tiny', '--weights', weights, '--suite', 'counting', '--n', '2', '--turns', '2', '--concurrency', '1', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { policy: { kind: string; name: string }; n: number; accuracy: number; endReasons: Record<string, number> };
    expect(out.policy).toEqual({ kind: 'tiny', name: 'eval-cli-test' });
    expect(out.n).toBe(2);
    expect(Object.values(out.endReasons).reduce((a, b) => a + b, 0)).toBe(2);
    expect(out.accuracy).toBeGreaterThanOrEqual(0);
  }, 150_000);

  it('a malformed model.json is a clear error, not a crash', () => {
    const bad = path.join(tmp, 'bad');
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'model.json'), '{"format": "something else"');
    const r = evalCli(['--policy', 'tiny', '--weights', bad, '--suite', 'counting', '--n', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*(model\.json|weights|JSON)/m);
  }, 150_000);
});
