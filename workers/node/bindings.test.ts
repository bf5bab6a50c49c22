/**
 * Inputs and figures through the whole runtime (Node, confined child, real Pyodide):
 * image_clue_* bound as PIL-style images, video_clue_0 as a decord-style reader whose frames
 * are fetched from the host only when asked, and plt.show() figures coming back in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameProvider, Pixels, PythonRuntime } from '../../src/runtime/types';
import { createNodeRuntime } from './nodeRuntime';

let runtime: PythonRuntime;

beforeAll(async () => {
  runtime = await createNodeRuntime({ poolSize: 1, limits: { maxFigures: 3, maxFigureSide: 64 } });
  await runtime.start();
}, 60_000);

afterAll(() => runtime?.dispose());

/** A w×h RGB image whose pixel (x, y) is (x, y, 7): every value is checkable by hand. */
function ramp(w: number, h: number): Pixels {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data.set([x % 256, y % 256, 7], (y * w + x) * 3);
  return { width: w, height: h, channels: 3, data };
}

/** Frame i is a flat colour (i, 255 - i, 0); records which frames were asked for. */
function fakeVideo(frameCount: number): FrameProvider & { asked: number[] } {
  const meta = { width: 8, height: 6, frameCount, fps: 10 };
  const asked: number[] = [];
  return {
    meta,
    asked,
    async getFrame(i) {
      asked.push(i);
      const data = new Uint8Array(8 * 6 * 3);
      for (let p = 0; p < 48; p++) data.set([i, 255 - i, 0], p * 3);
      return { width: 8, height: 6, channels: 3, data };
    },
  };
}

describe('bindings', () => {
  it('binds images in order as image_clue_0, image_clue_1 with the right pixels', async () => {
    const a = ramp(40, 30);
    const b = ramp(5, 4);
    const s = await runtime.openSession({ images: [a, b] });
    const r = await s.run('print(image_clue_0.size, image_clue_0.mode, image_clue_1.size)\nprint(image_clue_0.getpixel((13, 21)))');
    expect(r.error).toBeNull();
    expect(r.output).toBe('(40, 30) RGB (5, 4)\n(13, 21, 7)\n');
    // The caller's buffer is not detached or changed by the hand-over.
    expect(a.data.length).toBe(40 * 30 * 3);
    await s.close();
  });

  it('re-binds the original inputs on reset even if the code replaced them', async () => {
    const s = await runtime.openSession({ images: [ramp(10, 10)] });
    await s.run('image_clue_0 = None');
    await s.reset();
    expect((await s.run('print(image_clue_0.size)')).output).toBe('(10, 10)\n');
    await s.close();
  });

  it('returns shown figures in order with their pixels and titles', async () => {
    const s = await runtime.openSession({ images: [ramp(40, 30)] });
    const r = await s.run(
      [
        'import matplotlib.pyplot as plt',
        'crop = image_clue_0.crop((10, 5, 30, 25))',
        'plt.imshow(crop); plt.title("zoom"); plt.axis("off"); plt.show()',
        'plt.imshow(image_clue_0.crop((0, 0, 4, 2))); plt.show()',
      ].join('\n'),
    );
    expect(r.error).toBeNull();
    expect(r.figures).toHaveLength(2);
    const [first, second] = r.figures;
    expect([first!.pixels.width, first!.pixels.height]).toEqual([20, 20]);
    expect(first!.titles).toEqual(['zoom']);
    // Top-left pixel of the crop is source pixel (10, 5).
    expect([...first!.pixels.data.slice(0, first!.pixels.channels)].slice(0, 3)).toEqual([10, 5, 7]);
    expect([second!.pixels.width, second!.pixels.height]).toEqual([4, 2]);
    await s.close();
  });

  it('caps figures per call and downscales oversized ones', async () => {
    const s = await runtime.openSession({ images: [ramp(200, 100)] });
    const r = await s.run('import matplotlib.pyplot as plt\nfor _ in range(5):\n    plt.imshow(image_clue_0); plt.show()');
    expect(r.figures).toHaveLength(3);
    expect(r.figuresDropped).toBe(2);
    expect(r.figures[0]!.downscaled).toBe(true);
    expect([r.figures[0]!.pixels.width, r.figures[0]!.pixels.height]).toEqual([64, 32]);
    await s.close();
  });

  it('refuses to create an image beyond the pixel limit with a clear error', async () => {
    const s = await runtime.openSession();
    const r = await s.run('from PIL import Image\nImage.new("RGB", (100000, 100000))');
    expect(r.ok).toBe(false);
    expect(r.error!.message).toMatch(/exceeds the limit/);
    expect((await s.run('print("ok")')).output).toBe('ok\n');
    await s.close();
  });
});

describe('video on demand', () => {
  it('exposes metadata and fetches only the frames the code asks for', async () => {
    const video = fakeVideo(50);
    const s = await runtime.openSession({ video });
    const r = await s.run(
      [
        'v = video_clue_0',
        'print(len(v), v.get_avg_fps())',
        'f = v[7]',
        'print(f.shape)',
        'batch = v.get_batch([0, 49])',
        'print(batch.shape)',
      ].join('\n'),
    );
    expect(r.error).toBeNull();
    expect(r.output).toBe('50 10.0\n(6, 8, 3)\n(2, 6, 8, 3)\n');
    expect(video.asked.sort((a, b) => a - b)).toEqual([0, 7, 49]);
    await s.close();
  });

  it('delivers the right pixels for each frame and shows a chosen frame', async () => {
    const video = fakeVideo(20);
    const s = await runtime.openSession({ video });
    const r = await s.run(
      ['from PIL import Image', 'import matplotlib.pyplot as plt', 'img = Image.fromarray(video_clue_0[12].asnumpy())', 'print(img.getpixel((3, 2)))', 'plt.imshow(img); plt.show()'].join('\n'),
    );
    expect(r.error).toBeNull();
    expect(r.output).toBe('(12, 243, 0)\n');
    expect([...r.figures[0]!.pixels.data.slice(0, 3)]).toEqual([12, 243, 0]);
    await s.close();
  });

  it('reports a frame index past the end as IndexError without asking the host', async () => {
    const video = fakeVideo(5);
    const s = await runtime.openSession({ video });
    const r = await s.run('video_clue_0[5]');
    expect(r.error?.type).toBe('IndexError');
    expect(video.asked).toEqual([]);
    await s.close();
  });

  it('turns a host decoding failure into a Python error, and the session goes on', async () => {
    const video = fakeVideo(5);
    video.getFrame = async () => {
      throw new Error('corrupt packet');
    };
    const s = await runtime.openSession({ video });
    const r = await s.run('video_clue_0[1]');
    expect(r.ok).toBe(false);
    expect(r.error!.message).toMatch(/could not decode frame 1: corrupt packet/);
    expect((await s.run('print(len(video_clue_0))')).output).toBe('5\n');
    await s.close();
  });
});
