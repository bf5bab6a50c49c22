/** Codecs, colour names and the figure helpers (colormaps, grid layout). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Pixels } from '../runtime/types';
import { decodeImage, encodeImage } from './codec';
import { colorForChannels, getRgb } from './colors';
import { applyColormap, colormapTable, composeGrid } from './figure';

const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '../../public/samples');
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../e2e/fixtures');

describe('codec', () => {
  it('round-trips PNG exactly for L, RGB and RGBA', () => {
    for (const ch of [1, 3, 4] as const) {
      const p: Pixels = { width: 5, height: 3, channels: ch, data: Uint8Array.from({ length: 15 * ch }, (_, i) => (i * 37) % 256) };
      const back = decodeImage(encodeImage(p, 'PNG'));
      expect([back.width, back.height, back.channels, back.format]).toEqual([5, 3, ch, 'PNG']);
      expect(Array.from(back.data)).toEqual(Array.from(p.data));
    }
  });

  it('round-trips JPEG approximately and refuses RGBA like Pillow', () => {
    const p: Pixels = { width: 16, height: 16, channels: 3, data: new Uint8Array(16 * 16 * 3).fill(120) };
    const back = decodeImage(encodeImage(p, 'JPEG', 90));
    expect([back.width, back.height, back.channels, back.format]).toEqual([16, 16, 3, 'JPEG']);
    expect(Math.max(...Array.from(back.data, (v) => Math.abs(v - 120)))).toBeLessThanOrEqual(2);
    expect(() => encodeImage({ width: 1, height: 1, channels: 4, data: new Uint8Array(4) }, 'JPEG')).toThrow('cannot write mode RGBA as JPEG');
  });

  it('decodes the sample photographs and enforces the pixel limit', () => {
    const png = decodeImage(readFileSync(join(FIXTURES, 'kingfisher.png')));
    expect([png.width, png.height, png.channels]).toEqual([451, 300, 3]);
    const jpg = decodeImage(readFileSync(join(SAMPLES, 'kingfisher.jpg')));
    expect([jpg.width, jpg.height, jpg.channels]).toEqual([1024, 576, 3]);
    expect(() => decodeImage(readFileSync(join(FIXTURES, 'kingfisher.png')), 1000)).toThrow(/exceeds the limit of 1000 pixels/);
    expect(() => decodeImage(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toThrow(/cannot identify image file/);
  });
});

describe('colors', () => {
  it('parses Pillow colour specifiers', () => {
    expect(getRgb('red')).toEqual([255, 0, 0]);
    expect(getRgb('LightGoldenRodYellow')).toEqual([250, 250, 210]);
    expect(getRgb('#abc')).toEqual([0xaa, 0xbb, 0xcc]);
    expect(getRgb('#11223344')).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(getRgb('rgb(1, 2, 3)')).toEqual([1, 2, 3]);
    expect(getRgb('rgb(100%,0%,50%)')).toEqual([255, 0, 128]);
    expect(getRgb('hsl(120, 100%, 50%)')).toEqual([0, 255, 0]);
    expect(() => getRgb('notacolor')).toThrow("unknown color specifier: 'notacolor'");
    expect(colorForChannels('red', 1)).toEqual([76]);
    expect(colorForChannels('#ff000080', 4)).toEqual([255, 0, 0, 128]);
  });
});

describe('figure helpers', () => {
  it('maps L through viridis with min–max normalisation, gray on request', () => {
    const im: Pixels = { width: 3, height: 1, channels: 1, data: Uint8Array.from([10, 20, 30]) };
    const v = applyColormap(im);
    // viridis ends: #440154 (dark purple) and #fde724 (yellow)
    expect(Array.from(v.data.subarray(0, 3))).toEqual([0x44, 0x01, 0x54]);
    expect(Array.from(v.data.subarray(6, 9))).toEqual([0xfd, 0xe7, 0x24]);
    const g = applyColormap(im, 'gray', 0, 255);
    expect(Array.from(g.data)).toEqual([10, 10, 10, 20, 20, 20, 30, 30, 30]);
    expect(colormapTable('gray_r').table[0]).toBe(255);
    expect(colormapTable('jet').known).toBe(false);
  });

  it('lays out a grid with a white gap and aspect-preserving cells', () => {
    const red: Pixels = { width: 4, height: 2, channels: 3, data: new Uint8Array(24).fill(0).map((_, i) => (i % 3 === 0 ? 255 : 0)) };
    const small: Pixels = { width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 0]) };
    const out = composeGrid([red, small, null, null], 2, 2, { gap: 1 });
    // cells 4×2, gap 1 → 9×5
    expect([out.width, out.height, out.channels]).toEqual([9, 5, 3]);
    const at = (x: number, y: number) => Array.from(out.data.subarray((y * 9 + x) * 3, (y * 9 + x) * 3 + 3));
    expect(at(0, 0)).toEqual([255, 0, 0]);
    expect(at(4, 0)).toEqual([255, 255, 255]); // the gap
    expect(at(5, 0)).toEqual([0, 0, 0]); // 2×1 scaled ×2 to 4×2 fills the cell
    expect(at(0, 4)).toEqual([255, 255, 255]); // empty axes stay white
  });
});
