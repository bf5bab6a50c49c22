/**
 * The perception service in Node with the real models (CenterNet from @vladmandic/human,
 * Tesseract from tesseract.js) and the Python tools over it, end to end through the real
 * runtime. No mocks: what is asserted is what the models see in real photographs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageFile } from '../../cli/imageFile';
import type { PythonRuntime } from '../../src/runtime/types';
import { createNodeRuntime } from '../node/nodeRuntime';
import { createNodePerception } from './nodeService';

const fixture = (f: string) => path.resolve('e2e/fixtures', f);
const sample = (f: string) => path.resolve('public/samples', f);

describe('the perception service (real models, Node worker thread)', async () => {
  const service = await createNodePerception();
  afterAll(() => service.dispose());

  it('detects the objects of real photos with their COCO class names', async () => {
    const dogs = await service.detect(readImageFile(fixture('two-dogs.jpg')), { minScore: 0.3, tiles: true });
    expect(dogs.filter((d) => d.label === 'dog')).toHaveLength(2);
    const bird = await service.detect(readImageFile(sample('kingfisher.jpg')), { minScore: 0.3 });
    expect(bird[0]?.label).toBe('bird');
    const street = await service.detect(readImageFile(sample('berlin-cathedral.jpg')), { minScore: 0.3 });
    expect(street.some((d) => d.label === 'car')).toBe(true);
    // Boxes are in the input's pixels.
    for (const d of bird) expect(d.box[2]).toBeLessThanOrEqual(1024);
  });

  it('reads printed text', async () => {
    const got = await service.readText(readImageFile(fixture('text-sign.png')));
    expect(got.text).toBe('FRESH BREAD');
    expect(got.lines[0]!.confidence).toBeGreaterThan(85);
  });

  it('a corrupt model file gives a clear error, the other model still works, and it keeps saying why', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-bad-model-'));
    const json = path.resolve('node_modules/@vladmandic/human/models/centernet.json');
    const bin = path.join(dir, 'centernet.bin');
    fs.writeFileSync(bin, fs.readFileSync(path.resolve('node_modules/@vladmandic/human/models/centernet.bin')).subarray(0, 1000));
    const broken = await createNodePerception({ detectorJson: json, detectorWeights: bin });
    try {
      const img = readImageFile(sample('kingfisher.jpg'));
      await expect(broken.detect(img)).rejects.toThrow(/the object detector could not be loaded/);
      expect(broken.status().detector).toBe('error');
      expect((await broken.readText(readImageFile(fixture('text-sign.png')))).text).toBe('FRESH BREAD');
      await expect(broken.detect(img)).rejects.toThrow(/could not be loaded/);
    } finally {
      await broken.dispose();
    }
  });
});

describe('the Python vision tools over the service, end to end', () => {
  let runtime: PythonRuntime;
  const open = async (image: string) => {
    runtime ??= await createNodeRuntime({ poolSize: 1, maxWorkers: 1, packages: 'compat' });
    return runtime.openSession({ images: [readImageFile(image)] });
  };
  afterAll(() => runtime?.dispose());

  it('find, count, detect and zoom on a real photo print key=value fields and show what they saw', async () => {
    const s = await open(fixture('two-dogs.jpg'));
    const r = await s.run('find(image_clue_0, "the dog")\nn = count(image_clue_0, "dogs")\nzoom(image_clue_0, (0, 0, 100, 100), show=False)\nprint("n", n)');
    expect(r.error, r.output).toBeNull();
    expect(r.output).toMatch(/^find "the dog": found=yes, \d+ match/m);
    expect(r.output).toMatch(/^ {2}object=dog colour=\w+ score=0\.\d+ quadrant=[a-z-]+ box=\(\d+, \d+, \d+, \d+\)$/m);
    expect(r.output).toContain('count "dogs": count=2 ');
    expect(r.output).toContain('n 2');
    expect(r.figures.length).toBe(2); // find and count show the image with labelled boxes
    const none = await s.run('find(image_clue_0, "a giraffe")');
    expect(none.output).toContain('found=no');
    expect(none.output).toMatch(/seen instead: dog/);
    const unknown = await s.run('find(image_clue_0, "the thet")');
    expect(unknown.error).toBeNull();
    expect(unknown.output).toContain('found=unknown');
    await s.close();
  });

  it('read_text prints what the sign says', async () => {
    const s = await open(fixture('text-sign.png'));
    const r = await s.run('t = read_text(image_clue_0)\nprint(repr(t))');
    expect(r.output).toContain('  text=FRESH BREAD');
    expect(r.output).toContain("'FRESH BREAD'");
    await s.close();
  });

  it('a tool call counts against the per-call timeout, and the session is still usable after it', async () => {
    // A fresh service: its first call loads the model, which takes longer than 200 ms.
    const slow = await createNodePerception();
    const rt = await createNodeRuntime({ poolSize: 1, maxWorkers: 1, packages: 'compat', perception: slow, limits: { timeoutMs: 200 } });
    try {
      const s = await rt.openSession({ images: [readImageFile(sample('berlin-cathedral.jpg'))] });
      const r = await s.run('detect(image_clue_0)');
      expect(r.error?.kind).toBe('timeout');
      expect(r.error?.message).toMatch(/TimeoutError: the code ran past the 0\.2 s limit/);
      const bad = await s.run('detect("not an image")');
      expect(bad.error?.type).toBe('TypeError');
      expect(bad.error?.message).toContain('expected a PIL image');
      const ok = await s.run('print(image_clue_0.size)');
      expect(ok.output).toContain('(1024, 683)');
      await s.close();
    } finally {
      await rt.dispose();
      await slow.dispose();
    }
  });

  it('a broken detector is a clear Python RuntimeError, and the next call in the session works', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-missing-model-'));
    const broken = await createNodePerception({ detectorJson: path.join(dir, 'missing.json') });
    const rt = await createNodeRuntime({ poolSize: 1, maxWorkers: 1, packages: 'compat', perception: broken });
    try {
      const s = await rt.openSession({ images: [readImageFile(fixture('two-dogs.jpg'))] });
      const bad = await s.run('detect(image_clue_0)');
      expect(bad.error?.type).toBe('RuntimeError');
      expect(bad.error?.message).toMatch(/object detector could not be loaded: missing\.json is missing/);
      const ok = await s.run('print(image_clue_0.size)');
      expect(ok.error).toBeNull();
      expect(ok.output).toContain('(426, 640)');
      await s.close();
    } finally {
      await rt.dispose();
      await broken.dispose();
    }
  });
});
