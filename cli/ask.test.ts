/**
 * `npm run ask` end to end, as a user runs it: a real process, the real runtime, perception
 * models and policies. The tiny policy's own answers are covered by the evaluation (npm run eval
 * -- --suite real); here the rule-based scripted planner makes the run deterministic.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyvision-ask-'));

function ask(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), path.join(repo, 'cli/ask.ts'), ...args], { encoding: 'utf8', timeout: 120_000, cwd: repo });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run ask', () => {
  it('answers a question about a real photo with one JSON object', () => {
    const r = ask(['--image', 'e2e/fixtures/two-dogs.jpg', '--question', 'How many dogs are there?', '--policy', 'scripted', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { answer: string; endReason: string; toolCalls: number; turns: Array<{ code: string | null; output: string | null }>; seconds: number };
    expect(out).toMatchObject({ answer: '2', endReason: 'DONE', toolCalls: 1 });
    expect(out.turns[0]!.code).toBe('n = count(image_clue_0, "the dogs")');
    expect(out.turns[0]!.output).toContain('count=2');
    expect(out.seconds).toBeGreaterThan(0);
  });

  it('prints the turns readably and writes the figures', () => {
    const r = ask(['--image', 'public/samples/museum-sign.jpg', '--question', 'What does the sign say?', '--policy', 'scripted', '--out', path.join(tmp, 'figs')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/── turn 1 ─+\n.*read_text\(\)/);
    expect(r.stdout).toContain('code:\n  text = read_text(image_clue_0)');
    expect(r.stdout).toContain('answer: MUSEUM ISLAND');
    expect(r.stdout).toMatch(/end: DONE · 1 tool call/);
    expect(fs.readdirSync(path.join(tmp, 'figs'))).toContain('turn1-figure1.png');
  });

  it('a missing or undecodable file is a one-line error and status 2', () => {
    const missing = ask(['--image', path.join(tmp, 'nope.jpg'), '--question', 'What is this?']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^error: no such file: .*nope\.jpg$/);
    const junk = path.join(tmp, 'junk.jpg');
    fs.writeFileSync(junk, 'not an image at all');
    const bad = ask(['--image', junk, '--question', 'What is this?']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/cannot decode .*junk\.jpg as an image/);
    const badVideo = ask(['--video', junk, '--question', 'What happens?']);
    expect(badVideo.code).toBe(2);
    expect(badVideo.stderr).toMatch(/^error: (not a readable video|could not read the size or frame count of) .*junk\.jpg/);
  });
});
