/**
 * The offline PIL layer against real Pillow (Debian python3-pil 9.4), on the real photographs in
 * e2e/fixtures and public/samples. Every op below is one snippet of Python run twice: by scripts/pillow_reference.py
 * under python3 with real Pillow, and by the compat layer inside real Pyodide with the TS kernels.
 * Both start from the same decoded RGB pixels (the reference script decodes, incl. the JPEG), so
 * operations are compared, not decoders. Tolerances are per op (max absolute difference per byte);
 * 0 means bit-exact, and every op here is bit-exact: the kernels replicate Pillow's fixed-point
 * and float32 arithmetic. (Only the trig-based ones, HAMMING/LANCZOS weights and arbitrary-angle
 * rotation matrices, depend on libm's sin/cos; should a platform's libm ever differ in the last
 * ulp, the brief's allowed tolerance for resize/rotate/enhance is 1.)
 * If python3-pil is missing this test fails and says how to install it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPyodide, type PyodideInterface } from 'pyodide';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImagingModule } from './imagingBridge';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COMPAT = join(REPO, 'workers/python/py/compat');
// Two PNGs (a photo and rendered text) and two JPEG photos; see e2e/fixtures/README.md and public/samples/README.md.
const SAMPLES = ['e2e/fixtures/kingfisher.png', 'e2e/fixtures/text-sign.png', 'public/samples/berlin-cathedral.jpg', 'public/samples/opera.jpg'].map((f) => join(REPO, f));

interface Op {
  id: string;
  code: string;
  /** Max |compat − Pillow| per byte; 0 = exact. */
  tol: number;
}

const op = (id: string, expr: string, tol = 0): Op => ({ id, code: `result = ${expr}`, tol });
const FILTERS = ['NEAREST', 'BOX', 'BILINEAR', 'HAMMING', 'BICUBIC', 'LANCZOS'];
// A version of the sample whose alpha varies, to exercise Pillow's premultiplied RGBA paths.
const RGBA = "a = im.convert('RGBA'); a.putalpha(im.convert('L').point(lambda v: (v * 7) % 256)); ";

const OPS: Op[] = [
  op('crop_inside', 'im.crop((10, 20, 210, 170))'),
  op('crop_out_of_bounds_topleft', 'im.crop((-30, -20, 150, 120))'),
  op('crop_out_of_bounds_bottomright', 'im.crop((im.width - 50, im.height - 40, im.width + 60, im.height + 30))'),
  op('crop_float_box', 'im.crop((10.5, 20.4, 100.6, 90.5))'),
  op('crop_empty', 'im.crop((5, 5, 5, 9))'),
  ...['FLIP_LEFT_RIGHT', 'FLIP_TOP_BOTTOM', 'ROTATE_90', 'ROTATE_180', 'ROTATE_270', 'TRANSPOSE', 'TRANSVERSE'].map((t) =>
    op(`transpose_${t}`, `im.crop((3, 5, 203, 125)).transpose(Image.Transpose.${t})`)),
  op('convert_L', "im.convert('L')"),
  op('convert_RGBA', "im.convert('RGBA')"),
  op('convert_L_RGB', "im.convert('L').convert('RGB')"),
  op('convert_L_RGBA', "im.convert('L').convert('RGBA')"),
  { id: 'convert_RGBA_RGB', code: `${RGBA}result = a.convert('RGB')`, tol: 0 },
  { id: 'convert_RGBA_L', code: `${RGBA}result = a.convert('L')`, tol: 0 },
  ...FILTERS.flatMap((f) => [
    { id: `resize_down_${f}`, code: `result = im.resize((im.width // 3, im.height // 3 + 1), Image.Resampling.${f})`, tol: 0 },
    { id: `resize_up_${f}`, code: `result = im.crop((40, 30, 240, 180)).resize((347, 211), Image.Resampling.${f})`, tol: 0 },
    { id: `resize_box_${f}`, code: `result = im.resize((150, 100), Image.Resampling.${f}, box=(20.5, 30.25, 300.75, 250))`, tol: 0 },
    { id: `resize_L_${f}`, code: `result = im.convert('L').resize((123, 77), Image.Resampling.${f})`, tol: 0 },
  ]),
  op('resize_default_filter', 'im.resize((200, 150))', 0),
  op('resize_int_box_same_size_is_crop', 'im.resize((100, 60), box=(10, 20, 110, 80))'),
  { id: 'resize_RGBA_BICUBIC', code: `${RGBA}result = a.resize((170, 133), Image.Resampling.BICUBIC)`, tol: 0 },
  { id: 'resize_RGBA_NEAREST', code: `${RGBA}result = a.resize((170, 133), Image.Resampling.NEAREST)`, tol: 0 },
  op('rotate_90', 'im.rotate(90)'),
  op('rotate_90_expand', 'im.rotate(90, expand=True)'),
  op('rotate_minus_90_expand', 'im.rotate(-90, expand=True)'),
  op('rotate_180', 'im.rotate(180)'),
  op('rotate_270_expand', 'im.rotate(270, expand=True)'),
  op('rotate_30_nearest', 'im.rotate(30)', 0),
  op('rotate_30_nearest_expand', 'im.rotate(30, expand=True)', 0),
  op('rotate_minus_72_nearest_expand', 'im.rotate(-72.5, expand=1)', 0),
  op('rotate_17_bilinear', 'im.rotate(17.5, resample=Image.Resampling.BILINEAR)', 0),
  op('rotate_minus_33_bicubic_expand', 'im.rotate(-33, resample=Image.Resampling.BICUBIC, expand=True)', 0),
  op('rotate_45_bicubic_fill', 'im.rotate(45, Image.Resampling.BICUBIC, fillcolor=(255, 0, 0))', 0),
  op('rotate_center_translate', 'im.rotate(12, center=(50, 60), translate=(5, -7))', 0),
  op('rotate_90_center_nearest', 'im.rotate(90, center=(40, 40))', 0),
  { id: 'rotate_RGBA_bilinear_expand', code: `${RGBA}result = a.rotate(25, Image.Resampling.BILINEAR, expand=True)`, tol: 0 },
  ...['Contrast', 'Brightness', 'Sharpness', 'Color'].flatMap((e) =>
    [0.5, 1.7].map((f) => op(`enhance_${e}_${f}`, `ImageEnhance.${e}(im).enhance(${f})`, 0))),
  op('enhance_Sharpness_2', 'ImageEnhance.Sharpness(im).enhance(2.0)', 0),
  op('enhance_Contrast_L', "ImageEnhance.Contrast(im.convert('L')).enhance(1.3)", 0),
  { id: 'enhance_Brightness_RGBA', code: `${RGBA}result = ImageEnhance.Brightness(a).enhance(0.6)`, tol: 0 },
  op('filter_SMOOTH', 'im.filter(ImageFilter.SMOOTH)', 0),
  op('filter_SHARPEN', 'im.filter(ImageFilter.SHARPEN)', 0),
  op('filter_BLUR_5x5', 'im.filter(ImageFilter.BLUR)', 0),
  op('grayscale', 'ImageOps.grayscale(im)'),
  op('autocontrast', 'ImageOps.autocontrast(im)'),
  op('autocontrast_cutoff_2', 'ImageOps.autocontrast(im, cutoff=2)'),
  op('autocontrast_cutoff_tuple', 'ImageOps.autocontrast(im, cutoff=(1, 5))'),
  op('autocontrast_ignore', 'ImageOps.autocontrast(im, cutoff=1, ignore=255)'),
  op('autocontrast_preserve_tone', 'ImageOps.autocontrast(im, cutoff=2, preserve_tone=True)'),
  op('autocontrast_L', "ImageOps.autocontrast(im.convert('L'), cutoff=2)"),
  op('invert', 'ImageOps.invert(im)'),
  op('invert_L', "ImageOps.invert(im.convert('L'))"),
  op('equalize', 'ImageOps.equalize(im)'),
  op('imageops_fit', 'ImageOps.fit(im, (128, 96))', 0),
  op('imageops_pad', "ImageOps.pad(im, (200, 200), color='white')", 0),
  { id: 'paste_image_2tuple', code: 'r = im.copy(); r.paste(im.crop((0, 0, 100, 80)).transpose(Image.Transpose.FLIP_LEFT_RIGHT), (30, 40)); result = r', tol: 0 },
  { id: 'paste_out_of_bounds', code: 'r = im.copy(); r.paste(im.crop((0, 0, 100, 80)), (-40, im.height - 30)); result = r', tol: 0 },
  { id: 'paste_4tuple', code: 'r = im.copy(); r.paste(im.crop((50, 50, 90, 70)), (5, 6, 45, 26)); result = r', tol: 0 },
  { id: 'paste_color', code: "r = im.copy(); r.paste((255, 128, 0), (10, 10, 60, 40)); r.paste('blue', (-5, -5, 20, 20)); result = r", tol: 0 },
  { id: 'paste_L_mask', code: "r = im.copy(); src = im.crop((0, 0, 120, 90)).transpose(Image.Transpose.ROTATE_180); r.paste(src, (20, 25), src.convert('L')); result = r", tol: 0 },
  { id: 'paste_RGBA_self_mask', code: `${RGBA}r = im.copy(); s = a.crop((10, 10, 130, 100)); r.paste(s, (40, 30), s); result = r`, tol: 0 },
  { id: 'paste_L_into_RGB', code: "r = im.copy(); r.paste(im.convert('L').crop((0, 0, 50, 50)), (0, 0)); result = r", tol: 0 },
  op('getpixel', "[im.getpixel((0, 0)), im.getpixel((17, 33)), im.getpixel((-1, -1)), im.convert('L').getpixel((40, 41)), im.convert('RGBA').getpixel((5, 6))]"),
  op('getpixel_out_of_range', 'im.getpixel((im.width, 0))'),
  op('copy', 'im.copy()'),
  op('split_merge', "Image.merge('RGB', im.split()[::-1])"),
  op('point_lambda', 'im.point(lambda v: 255 - v // 2)'),
  op('new_named_color', "Image.new('RGB', (31, 17), 'red')"),
  op('new_hex_L', "Image.new('L', (5, 5), '#808080')"),
  op('new_hex_rgba', "Image.new('RGBA', (6, 4), '#11223344')"),
  op('new_rgb_tuple_rgba', "Image.new('RGBA', (7, 3), (10, 20, 30))"),
  op('new_int_color', "Image.new('RGB', (4, 4), 0x123456)"),
  op('new_default', "Image.new('RGBA', (3, 2))"),
  op('size_mode', '(im.size, im.mode, im.width, im.height)'),
  { id: 'thumbnail', code: 'r = im.copy(); r.thumbnail((128, 128)); result = r', tol: 0 },
  { id: 'thumbnail_wide', code: 'r = im.copy(); r.thumbnail((300, 90), Image.Resampling.LANCZOS); result = r', tol: 0 },
  op('resize_reducing_gap', 'im.resize((100, 70), Image.Resampling.BICUBIC, reducing_gap=2.0)'),
  op('resize_reducing_gap_box', 'im.resize((61, 47), Image.Resampling.BILINEAR, box=(13.5, 7, 300, 260), reducing_gap=1.5)'),
  op('reduce_3', 'im.reduce(3)'),
  op('reduce_2x5_box', 'im.reduce((2, 5), box=(11, 3, 250, 199))'),
  { id: 'reduce_RGBA', code: `${RGBA}result = a.reduce(4)`, tol: 0 },
];

/** Runs every op on one sample inside Pyodide; mirrors scripts/pillow_reference.py. */
const RUNNER = `
import json
from PIL import Image, ImageOps, ImageEnhance, ImageFilter

def _pv_run_ops(ops_json, path, width, height):
    with open(path, 'rb') as f:
        base = Image.frombytes('RGB', (width, height), f.read())
    out = {}
    for op in json.loads(ops_json):
        ns = {'Image': Image, 'ImageOps': ImageOps, 'ImageEnhance': ImageEnhance, 'ImageFilter': ImageFilter, 'im': base.copy()}
        try:
            exec(op['code'], ns)
            r = ns['result']
        except Exception as e:
            out[op['id']] = ['error', type(e).__name__, str(e)]
            continue
        if isinstance(r, Image.Image):
            out[op['id']] = ['image', r.mode, r.width, r.height, r.tobytes()]
        else:
            out[op['id']] = ['value', json.dumps(r)]
    return out
`;

function findPillowPython(): { python: string; version: string } {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, ['-c', 'import PIL; print(PIL.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  throw new Error('python3-pil is missing: run `apt-get install -y python3-pil` (the Pillow equivalence test needs it)');
}

interface RefResult {
  kind: 'image' | 'value' | 'error';
  mode?: string;
  width?: number;
  height?: number;
  file?: string;
  value?: unknown;
  type?: string;
  message?: string;
}
interface Manifest {
  pillow: string;
  samples: Record<string, { input: { width: number; height: number; file: string }; results: Record<string, RefResult> }>;
}

let py: PyodideInterface;
let outDir: string;
let manifest: Manifest;
/** Max difference per op across samples, printed at the end (the measured tolerances). */
const measured = new Map<string, number>();

function copyDirToFs(pyodide: PyodideInterface, src: string, dst: string): void {
  pyodide.FS.mkdirTree(dst);
  for (const e of readdirSync(src, { withFileTypes: true })) {
    if (e.isDirectory()) copyDirToFs(pyodide, join(src, e.name), `${dst}/${e.name}`);
    else if (e.name.endsWith('.py')) pyodide.FS.writeFile(`${dst}/${e.name}`, readFileSync(join(src, e.name)));
  }
}

beforeAll(async () => {
  const { python, version } = findPillowPython();
  if (!version.startsWith('9.4')) {
    throw new Error(`expected Pillow 9.4.x (Debian python3-pil) as the reference, found ${version} at ${python}`);
  }
  outDir = mkdtempSync(join(tmpdir(), 'pv-pillow-ref-'));
  const opsFile = join(outDir, 'ops.json');
  writeFileSync(opsFile, JSON.stringify(OPS.map(({ id, code }) => ({ id, code }))));
  const ref = spawnSync(python, [join(REPO, 'scripts/pillow_reference.py'), opsFile, outDir, ...SAMPLES], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (ref.status !== 0) throw new Error(`pillow_reference.py failed (${ref.status}): ${ref.stderr}`);
  manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as Manifest;

  py = await loadPyodide({ indexURL: join(REPO, 'node_modules/pyodide/') });
  py.registerJsModule('_pv_imaging', createImagingModule(() => ({ maxImagePixels: 64 * 1024 * 1024 })));
  py.registerJsModule('_pv_capture', { add_figure: () => undefined });
  copyDirToFs(py, COMPAT, '/pv/compat');
  py.runPython("import sys; sys.path.insert(0, '/pv/compat')");
  py.runPython(RUNNER);
}, 120_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  const rows = [...measured.entries()].map(([id, d]) => `${id}=${d}`);
  if (rows.length) console.log(`[pillow-equivalence] max |diff| per op: ${rows.join(', ')}`);
});

describe('compat PIL layer vs real Pillow 9.4', () => {
  it('runs the reference under Pillow 9.4', () => {
    expect(manifest.pillow.startsWith('9.4')).toBe(true);
    expect(Object.keys(manifest.samples)).toHaveLength(SAMPLES.length);
  });

  it('decodes the PNG samples exactly like Pillow (JPEG: different decoder, close)', () => {
    for (const sample of SAMPLES) {
      const name = sample.split('/').pop()!.replace(/\.[^.]+$/, '');
      const ref = readFileSync(join(outDir, manifest.samples[name].input.file));
      py.FS.writeFile(`/tmp/${name}.enc`, readFileSync(sample));
      const proxy = py.runPython(`Image.open('/tmp/${name}.enc').convert('RGB').tobytes()`);
      const mine = proxy.toJs() as Uint8Array;
      proxy.destroy();
      expect(mine.length).toBe(ref.length);
      let sum = 0;
      let max = 0;
      for (let i = 0; i < ref.length; i++) {
        const d = Math.abs(ref[i] - mine[i]);
        sum += d;
        if (d > max) max = d;
      }
      measured.set(`decode_${name}`, max);
      // jpeg-js and libjpeg differ in IDCT and chroma upsampling: only close, not equal.
      if (sample.endsWith('.png')) expect(max).toBe(0);
      else expect(sum / ref.length).toBeLessThan(2);
    }
  });

  for (const sample of SAMPLES) {
    const name = sample.split('/').pop()!.replace(/\.[^.]+$/, '');
    it(`matches Pillow on ${name}`, () => {
      const ref = manifest.samples[name];
      const inputPath = `/tmp/${name}.input.raw`;
      py.FS.writeFile(inputPath, readFileSync(join(outDir, ref.input.file)));
      const run = py.globals.get('_pv_run_ops');
      const proxy = run(JSON.stringify(OPS.map(({ id, code }) => ({ id, code }))), inputPath, ref.input.width, ref.input.height);
      const got = proxy.toJs({ dict_converter: Object.fromEntries }) as Record<string, unknown[]>;
      proxy.destroy();
      run.destroy();
      py.FS.unlink(inputPath);
      const failures: string[] = [];
      for (const o of OPS) {
        const want = ref.results[o.id];
        const mine = got[o.id];
        const where = `${name}/${o.id}`;
        if (!want || !mine) {
          failures.push(`${where}: missing result`);
          continue;
        }
        if (want.kind === 'error' || mine[0] === 'error') {
          if (mine[0] !== 'error' || want.kind !== 'error' || mine[1] !== want.type) {
            failures.push(`${where}: Pillow ${want.kind === 'error' ? `raised ${want.type}: ${want.message}` : 'succeeded'}, compat ${mine[0] === 'error' ? `raised ${mine[1]}: ${mine[2]}` : 'succeeded'}`);
          }
          continue;
        }
        if (want.kind === 'value') {
          if (mine[0] !== 'value' || JSON.stringify(JSON.parse(mine[1] as string)) !== JSON.stringify(want.value)) {
            failures.push(`${where}: value ${String(mine[1])} != Pillow ${JSON.stringify(want.value)}`);
          }
          continue;
        }
        const [, mode, w, h, data] = mine as [string, string, number, number, Uint8Array];
        if (mode !== want.mode || w !== want.width || h !== want.height) {
          failures.push(`${where}: ${mode} ${w}x${h} != Pillow ${want.mode} ${want.width}x${want.height}`);
          continue;
        }
        const expected = readFileSync(join(outDir, want.file!));
        if (!(data instanceof Uint8Array) || data.length !== expected.length) {
          failures.push(`${where}: got ${data instanceof Uint8Array ? data.length : typeof data} bytes, Pillow ${expected.length}`);
          continue;
        }
        let maxDiff = 0;
        let count = 0;
        for (let i = 0; i < expected.length; i++) {
          const d = Math.abs(expected[i] - data[i]);
          if (d > 0) count++;
          if (d > maxDiff) maxDiff = d;
        }
        measured.set(o.id, Math.max(measured.get(o.id) ?? 0, maxDiff));
        if (maxDiff > o.tol) failures.push(`${where}: max |diff| ${maxDiff} > ${o.tol} (${count} of ${expected.length} bytes differ)`);
      }
      expect(failures).toEqual([]);
    }, 60_000);
  }
});
