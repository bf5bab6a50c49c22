/**
 * The offline Python compat layer (PIL, matplotlib.pyplot, decord) running in real Pyodide with
 * the real imaging bridge. Expected pixels are computed by hand on tiny images.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPyodide, type PyodideInterface } from 'pyodide';
import { beforeAll, describe, expect, it } from 'vitest';
import { createImagingModule } from './imagingBridge';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COMPAT = join(REPO, 'workers/python/py/compat');

interface Captured {
  mode: string;
  width: number;
  height: number;
  data: Uint8Array;
  titles: string[];
}

let py: PyodideInterface;
const limits = { maxImagePixels: 4_000_000 };
const captured: Captured[] = [];

function copyDirToFs(pyodide: PyodideInterface, src: string, dst: string): void {
  pyodide.FS.mkdirTree(dst);
  for (const e of readdirSync(src, { withFileTypes: true })) {
    if (e.isDirectory()) copyDirToFs(pyodide, join(src, e.name), `${dst}/${e.name}`);
    else if (e.name.endsWith('.py')) pyodide.FS.writeFile(`${dst}/${e.name}`, readFileSync(join(src, e.name)));
  }
}

/** Runs Python and returns its last expression converted to JS. */
function run<T = unknown>(code: string): T {
  const r = py.runPython(code);
  if (r && typeof r === 'object' && 'toJs' in r) {
    const v = (r as { toJs: (o: object) => unknown; destroy: () => void }).toJs({ dict_converter: Object.fromEntries });
    (r as { destroy: () => void }).destroy();
    return v as T;
  }
  return r as T;
}

beforeAll(async () => {
  py = await loadPyodide({ indexURL: join(REPO, 'node_modules/pyodide/') });
  py.registerJsModule('_pv_imaging', createImagingModule(() => limits));
  // Stand-in for the runtime's capture module: records what plt.show() hands over.
  py.registerJsModule('_pv_capture', {
    add_figure(mode: string, width: number, height: number, data: { toJs?: () => Uint8Array }, titles: { toJs?: () => string[] }) {
      captured.push({
        mode, width, height,
        data: data.toJs ? data.toJs() : (data as unknown as Uint8Array),
        titles: titles.toJs ? titles.toJs() : (titles as unknown as string[]),
      });
    },
  });
  copyDirToFs(py, COMPAT, '/pv/compat');
  py.runPython(`
import sys, io
sys.path.insert(0, '/pv/compat')
from PIL import Image, ImageOps, ImageEnhance, ImageFilter, ImageColor
import matplotlib.pyplot as plt
import decord

def ramp(w, h, mode='RGB'):
    """pixel (x, y) band c = 10*y + x + 100*c, like the TS tests."""
    ch = {'L': 1, 'RGB': 3, 'RGBA': 4}[mode]
    return Image.frombytes(mode, (w, h), bytes((10 * y + x + 100 * c) % 256 for y in range(h) for x in range(w) for c in range(ch)))
`);
}, 60_000);

describe('imaging bridge without Pyodide', () => {
  it('accepts plain Uint8Arrays and arrays, returns fresh buffers, names Python exception types', () => {
    const small = { maxImagePixels: 100 };
    const m = createImagingModule(() => small);
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6]); // 3×2 L
    const flipped = m.transpose(data, 3, 2, 1, 0) as Uint8Array;
    expect(Array.from(flipped)).toEqual([3, 2, 1, 6, 5, 4]);
    expect(Array.from(m.crop(data, 3, 2, 1, -1, 0, 1, 2) as Uint8Array)).toEqual([0, 1, 0, 4]);
    expect(Array.from(m.convert(Uint8Array.from([255, 0, 0]), 1, 1, 3, 1) as Uint8Array)).toEqual([76]);
    expect(m.get_rgb('navy')).toEqual([0, 0, 128]);
    const r = m.rotate(data, 3, 2, 1, 90, 0, true, null, null, null) as { width: number; height: number; data: Uint8Array };
    expect([r.width, r.height, Array.from(r.data)]).toEqual([2, 3, [3, 6, 2, 5, 1, 4]]);
    let err: Error | null = null;
    try {
      m.new_image(20, 20, 3, 0);
    } catch (e) {
      err = e as Error;
    }
    expect([err?.name, err?.message]).toEqual(['MemoryError', 'image of 20×20 exceeds the limit of 100 pixels']);
    expect(() => m.crop(Uint8Array.from([1, 2]), 3, 2, 1, 0, 0, 1, 1)).toThrow(/pixel buffer has 2 bytes/);
  });
});

describe('PIL.Image', () => {
  it('runs the PyVision crop-and-show snippet unchanged and shows exact pixels', () => {
    captured.length = 0;
    py.runPython(`
image_clue_0 = ramp(8, 6)
x0, y0, x1, y1 = 2, 1, 6, 4
crop = image_clue_0.crop((x0, y0, x1, y1)); plt.imshow(crop); plt.axis('off'); plt.title('zoom'); plt.show()
`);
    expect(captured).toHaveLength(1);
    const f = captured[0];
    expect([f.mode, f.width, f.height, f.titles]).toEqual(['RGB', 4, 3, ['zoom']]);
    // first pixel = source (2, 1) = (12, 112, 212); last = (5, 3) = (35, 135, 235)
    expect(Array.from(f.data.subarray(0, 3))).toEqual([12, 112, 212]);
    expect(Array.from(f.data.subarray(-3))).toEqual([35, 135, 235]);
    expect(run('plt.get_fignums()')).toEqual([]);
  });

  it('has Pillow-like attributes, repr and constants', () => {
    const r = run<unknown[]>(`
im = ramp(5, 4)
[im.size, im.width, im.height, im.mode, repr(im).startswith('<PIL.Image.Image image mode=RGB size=5x4 at 0x'),
 int(Image.BICUBIC), int(Image.Resampling.LANCZOS), int(Image.Transpose.ROTATE_90), int(Image.FLIP_TOP_BOTTOM)]
`);
    expect(r).toEqual([[5, 4], 5, 4, 'RGB', true, 3, 1, 2, 1]);
  });

  it('crops with zero fill, flips, converts and resizes NEAREST exactly', () => {
    const r = run<unknown[]>(`
im = ramp(3, 2, 'L')          # [[0 1 2] [10 11 12]]
[list(im.crop((-1, 0, 2, 3)).tobytes()),
 list(im.transpose(Image.FLIP_LEFT_RIGHT).tobytes()),
 list(im.transpose(Image.Transpose.ROTATE_90).tobytes()),
 list(Image.new('RGB', (1, 1), (10, 200, 30)).convert('L').tobytes()),
 list(im.resize((6, 2), Image.NEAREST).tobytes()),
 im.convert('RGBA').getpixel((1, 1))]
`);
    expect(r).toEqual([
      [0, 0, 1, 0, 10, 11, 0, 0, 0],
      [2, 1, 0, 12, 11, 10],
      [2, 12, 1, 11, 0, 10],
      [(10 * 19595 + 200 * 38470 + 30 * 7471 + 0x8000) >> 16],
      [0, 0, 1, 1, 2, 2, 10, 10, 11, 11, 12, 12],
      [11, 11, 11, 255],
    ]);
  });

  it('reads and writes pixels, pastes images and colours', () => {
    const r = run<unknown[]>(`
im = Image.new('RGB', (4, 3), 'white')
im.putpixel((0, 0), (1, 2, 3))
px = im.load(); px[1, 0] = (4, 5, 6)
im.paste(Image.new('RGB', (2, 2), '#ff0000'), (3, 2))      # clipped to one pixel
im.paste((0, 0, 255), (0, 1, 2, 2))
[im.getpixel((0, 0)), im.getpixel((1, 0)), im.getpixel((-1, -1)), im.getpixel((0, 1)), im.getpixel((1, 1)), im.getpixel((2, 1))]
`);
    expect(r).toEqual([[1, 2, 3], [4, 5, 6], [255, 0, 0], [0, 0, 255], [0, 0, 255], [255, 255, 255]]);
  });

  it('opens and saves PNG/JPEG through paths and file objects', () => {
    const r = run<unknown[]>(`
src = ramp(7, 5)
src.save('/tmp/a.png')
buf = io.BytesIO(); src.save(buf, format='PNG')
a = Image.open('/tmp/a.png'); b = Image.open(io.BytesIO(buf.getvalue()))
src.save('/tmp/a.jpg', quality=95)
j = Image.open('/tmp/a.jpg')
[a.format, a.mode, a.size, a.tobytes() == src.tobytes(), b.tobytes() == src.tobytes(),
 repr(a).startswith('<PIL.PngImagePlugin.PngImageFile image mode=RGB size=7x5'), j.format, j.size,
 max(abs(p - q) for p, q in zip(j.tobytes(), src.tobytes())) <= 20]
`);
    expect(r).toEqual(['PNG', 'RGB', [7, 5], true, true, true, 'JPEG', [7, 5], true]);
  });

  it('raises clear Python exceptions', () => {
    const r = run<string[]>(`
out = []
for code in ["Image.new('P', (2, 2))", "Image.new('RGB', (5000, 5000))", "ramp(2, 2).getpixel((5, 5))",
             "ramp(2, 2).crop((3, 0, 1, 1))", "ramp(2, 2).resize((2, 2), 17)", "Image.open(io.BytesIO(b'nope'))",
             "ImageOps.invert(ramp(2, 2, 'RGBA'))", "ramp(2, 2, 'RGBA').save(io.BytesIO(), 'JPEG')", "ramp(2, 2).save('/tmp/x.gif')"]:
    try:
        eval(code)
        out.append('no error')
    except Exception as e:
        out.append(type(e).__name__ + ': ' + str(e))
out
`);
    expect(r[0]).toMatch(/^NotImplementedError: Image.new with mode 'P' is not supported by the offline compatibility layer/);
    expect(r[1]).toBe('MemoryError: image of 5000×5000 exceeds the limit of 4000000 pixels');
    expect(r[2]).toBe('IndexError: image index out of range');
    expect(r[3]).toBe("ValueError: Coordinate 'right' is less than 'left'");
    expect(r[4]).toMatch(/^ValueError: Unknown resampling filter \(17\)/);
    expect(r[5]).toMatch(/^UnidentifiedImageError: cannot identify image file/);
    expect(r[6]).toBe('OSError: not supported for this image mode');
    expect(r[7]).toBe('OSError: cannot write mode RGBA as JPEG');
    expect(r[8]).toMatch(/^NotImplementedError: saving as GIF/);
  });

  it('enhances, filters and autocontrasts through the kernels', () => {
    const r = run<unknown[]>(`
im = Image.frombytes('L', (2, 1), bytes([100, 200]))
[list(ImageEnhance.Brightness(im).enhance(0.5).tobytes()), list(ImageEnhance.Contrast(im).enhance(0.5).tobytes()),
 list(ImageOps.autocontrast(Image.frombytes('L', (3, 1), bytes([50, 100, 150]))).tobytes()),
 list(ImageOps.invert(im).tobytes()), ImageColor.getrgb('orange'), ImageColor.getcolor('red', 'L'),
 list(Image.frombytes('L', (3, 3), bytes([0, 0, 0, 0, 130, 0, 0, 0, 0])).filter(ImageFilter.SMOOTH).tobytes())]
`);
    expect(r).toEqual([[50, 100], [125, 175], [0, 127, 255], [155, 55], [255, 165, 0], 76, [0, 0, 0, 0, 50, 0, 0, 0, 0]]);
  });
});

describe('matplotlib.pyplot', () => {
  it('returns numpy-like axes shapes from subplots', () => {
    const r = run<unknown[]>(`
f1, a1 = plt.subplots()
f2, a2 = plt.subplots(1, 3)
f3, a3 = plt.subplots(3, 1, figsize=(4, 8))
f4, a4 = plt.subplots(2, 2)
f5, a5 = plt.subplots(1, 1, squeeze=False)
res = [type(a1).__name__, a2.shape, a3.shape, a4.shape, a5.shape, a4[0][1] is a4[0, 1], a4[1, 0] is a4.flat[2],
       len(list(a4.flat)), a4.ravel().shape, a4.flatten()[3] is a4[1, 1], len(a4), a4[-1, -1] is a4[1][1],
       [ax is b for ax, b in zip(a4.flat, a4.reshape(-1))].count(True), a5[0, 0].__class__.__name__]
plt.close('all')
res
`);
    expect(r).toEqual(['Axes', [3], [3], [2, 2], [1, 1], true, true, 4, [4], true, 2, true, 4, 'Axes']);
  });

  it('shows L images through viridis (min–max) and gray with vmin/vmax', () => {
    captured.length = 0;
    py.runPython(`
g = Image.frombytes('L', (3, 1), bytes([10, 20, 30]))
plt.imshow(g); plt.show()
plt.figure(); plt.imshow(g, cmap='gray', vmin=0, vmax=255); plt.show()
`);
    expect(captured).toHaveLength(2);
    expect(captured[0].mode).toBe('RGB');
    // matplotlib 3.6: viridis([0, 0.5, 1], bytes=True) = (68, 1, 84), (32, 144, 140), (253, 231, 36)
    expect(Array.from(captured[0].data)).toEqual([68, 1, 84, 32, 144, 140, 253, 231, 36]);
    expect(Array.from(captured[1].data)).toEqual([10, 10, 10, 20, 20, 20, 30, 30, 30]);
  });

  it('lays out grids, collects titles, drops figures without images, refuses plot()', () => {
    captured.length = 0;
    const err = run<string>(`
fig, axes = plt.subplots(1, 2, figsize=(8, 4))
axes[0].imshow(ramp(4, 2)); axes[0].set_title('left'); axes[0].axis('off')
axes[1].imshow(ramp(2, 1, 'L'), cmap='gray', vmin=0, vmax=255); axes[1].set_title('right')
fig.suptitle('both'); plt.tight_layout()
plt.figure()                       # empty: not captured
plt.show()
try:
    plt.plot([1, 2, 3])
    e = 'no error'
except NotImplementedError as ex:
    e = str(ex)
e
`);
    expect(captured).toHaveLength(1);
    const f = captured[0];
    // two 4×2 cells and an 8-pixel gap
    expect([f.mode, f.width, f.height, f.titles]).toEqual(['RGB', 16, 2, ['both', 'left', 'right']]);
    expect(Array.from(f.data.subarray(0, 3))).toEqual([0, 100, 200]);
    expect(Array.from(f.data.subarray(4 * 3, 5 * 3))).toEqual([255, 255, 255]);
    expect(err).toMatch(/matplotlib.pyplot.plot is not available in the offline compatibility layer/);
  });

  it('saves figures as PNG', () => {
    const r = run<unknown[]>(`
plt.imshow(ramp(5, 3)); plt.savefig('/tmp/fig.png'); plt.close()
back = Image.open('/tmp/fig.png')
[back.size, back.tobytes() == ramp(5, 3).tobytes()]
`);
    expect(r).toEqual([[5, 3], true]);
  });
});

describe('decord', () => {
  it('reads registered sources by index, slice and batch', () => {
    const r = run<unknown[]>(`
class Src:
    width, height, frame_count, fps = 4, 2, 5, 10.0
    def read(self, i):
        return bytes([i * 10 + k % 7 for k in range(4 * 2 * 3)])
decord.register_source('clip.mp4', Src())
from decord import VideoReader, cpu
vr = VideoReader('clip.mp4', ctx=cpu(0))
frame = vr[2]
batch = vr.get_batch([0, 4])
sl = vr[1:4]
errs = []
for bad in (5, -6):
    try:
        vr[bad]
    except IndexError as e:
        errs.append(str(e))
img = Image.fromarray(vr[-1].asnumpy())
[len(vr), vr.get_avg_fps(), frame.shape, list(frame.asnumpy().tobytes()[:3]), batch.shape, batch[1].tobytes() == vr[4].tobytes(),
 sl.shape, [f.tobytes()[0] for f in sl], errs, img.mode, img.size, img.getpixel((0, 0)),
 frame[0:1, 1:3].shape, frame[1, 2].tobytes() == vr[2].tobytes()[(1 * 4 + 2) * 3:(1 * 4 + 3) * 3],
 vr.get_frame_timestamp(3), decord.bridge.set_bridge('native')]
`);
    expect(r).toEqual([
      5, 10, [2, 4, 3], [20, 21, 22], [2, 2, 4, 3], true,
      [3, 2, 4, 3], [10, 20, 30], ['frame index 5 out of range for a video of 5 frames', 'frame index -6 out of range for a video of 5 frames'],
      'RGB', [4, 2], [40, 41, 42],
      [1, 2, 3], true,
      [[0.3, 0.4]], undefined,
    ]);
  });

  it('accepts a JS source object and shows frames with plt.imshow', () => {
    captured.length = 0;
    const frames = (i: number) => new Uint8Array(3 * 2 * 3).fill(i * 50);
    py.globals.set('js_src', { width: 3, height: 2, frame_count: 3, fps: 25, read: frames });
    py.runPython(`
decord.register_source('js.mp4', js_src)
v = decord.VideoReader('js.mp4')
plt.imshow(v[1].asnumpy()); plt.show()
`);
    expect(captured).toHaveLength(1);
    expect([captured[0].width, captured[0].height]).toEqual([3, 2]);
    expect(Array.from(captured[0].data).every((x) => x === 50)).toBe(true);
    expect(() => py.runPython("decord.VideoReader('missing.mp4')")).toThrow(/cannot open video 'missing.mp4'/);
  });
});
