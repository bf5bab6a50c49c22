/**
 * `npm run py` end to end, as a user runs it: a real process, real files in and out.
 * The video case encodes a small clip with ffmpeg (installed by scripts/test-all.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/imaging';

const repo = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyvision-cli-'));

function py(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), path.join(repo, 'cli/py.ts'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function script(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('npm run py', () => {
  it('runs a script on PNG and JPEG images, prints stdout and writes figures as PNG', () => {
    const out = path.join(tmp, 'figs');
    const file = script('crop.py', 'print(image_clue_0.size, image_clue_1.size)\nplt.imshow(image_clue_1.crop((0, 0, 64, 32)))\nplt.show()\n');
    const r = py([file, '--image', path.join(repo, 'e2e/fixtures/kingfisher.png'), '--image', path.join(repo, 'public/samples/berlin-cathedral.jpg'), '--out', out]);
    expect(r.stderr).toMatch(/figure 1: .*figure_1\.png \(64×32\)/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('(451, 300) (1024, 683)\n');
    const png = decodeImage(new Uint8Array(fs.readFileSync(path.join(out, 'figure_1.png'))));
    expect([png.width, png.height]).toEqual([64, 32]);
  });

  it('exits non-zero with the traceback when the script raises', () => {
    const r = py([script('bad.py', 'print("before")\n{}["missing"]\n')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toMatch(/KeyError: 'missing'/);
  });

  it('rejects a file that is not an image with a clear message', () => {
    const r = py([script('ok.py', 'pass\n'), '--image', path.join(repo, 'package.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read image .*package\.json/);
  });

  it('binds a video whose frames are decoded on demand', () => {
    const clip = path.join(tmp, 'clip.mp4');
    // 30 frames, 64×48; frame n is drawn by ffmpeg's testsrc (its frame counter changes each frame).
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10:duration=3', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', clip]);
    const file = script('video.py', 'v = video_clue_0\nprint(len(v), v.get_avg_fps(), v[0].shape)\nplt.imshow(Image.fromarray(v[29].asnumpy()))\nplt.show()\n');
    const r = py([file, '--video', clip, '--out', path.join(tmp, 'vid')]);
    expect(r.stderr).toMatch(/figure 1: .*\(64×48\)/);
    expect(r.stdout).toBe('30 10.0 (48, 64, 3)\n');
    expect(r.code).toBe(0);
  });
});
