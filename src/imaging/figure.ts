/**
 * What matplotlib's imshow shows, for the compat pyplot: colormaps for single-band images
 * (viridis by default, gray on request) and the grid layout of a multi-axes figure.
 * Text is never rasterised; titles travel beside the pixels.
 */
import type { Pixels } from '../runtime/types';
import { checkPixelLimit, createPixels } from './pixels';
import { resize, Resampling } from './resample';

/** matplotlib 3.6 `cmap(np.arange(256), bytes=True)[:, :3]`, hex RGB. */
const VIRIDIS_HEX =
  '44015444025544035745055845065a45085b46095c460b5e460c5f460e61470f62471163471265471466471567471669' +
  '47186a48196b481a6c481c6e481d6f481e70482071482172482273482374472575472676472777472878472a79472b7a' +
  '472c7b462d7c462f7c46307d46317e45327f45347f453580453681443781443982433a83433b83433c84423d84423e85' +
  '4240854141864142864043874044873f45873f47883e48883e49893d4a893d4b893d4c893c4d8a3c4e8a3b508a3b518a' +
  '3a528b3a538b39548b39558b38568b38578c37588c37598c365a8c365b8c355c8c355d8c345e8d345f8d33608d33618d' +
  '32628d32638d31648d31658d31668d30678d30688d2f698d2f6a8d2e6b8e2e6c8e2e6d8e2d6e8e2d6f8e2c708e2c718e' +
  '2c728e2b738e2b748e2a758e2a768e2a778e29788e29798e287a8e287a8e287b8e277c8e277d8e277e8e267f8e26808e' +
  '26818e25828e25838d24848d24858d24868d23878d23888d23898d22898d228a8d228b8d218c8d218d8c218e8c208f8c' +
  '20908c20918c1f928c1f938b1f948b1f958b1f968b1e978a1e988a1e998a1e998a1e9a891e9b891e9c891e9d881e9e88' +
  '1e9f881ea0871fa1871fa2861fa38620a48520a58521a68521a78422a78423a88323a98224aa8225ab8126ac8127ad80' +
  '28ae7f29af7f2ab07e2bb17d2cb17d2eb27c2fb37b30b47a32b57a33b67935b77836b87738b97639b9763bba753dbb74' +
  '3ebc7340bd7242be7144be7045bf6f47c06e49c16d4bc26c4dc26b4fc36951c46853c56755c66657c66559c7645bc862' +
  '5ec96160c96062ca5f64cb5d67cc5c69cc5b6bcd596dce5870ce5672cf5574d05477d05279d1517cd24f7ed24e81d34c' +
  '83d34b86d44988d5478bd5468dd64490d64392d74195d73f97d83e9ad83c9dd93a9fd938a2da37a5da35a7db33aadb32' +
  'addc30afdc2eb2dd2cb5dd2bb7dd29bade27bdde26bfdf24c2df22c5df21c7e01fcae01ecde01dcfe11cd2e11bd4e11a' +
  'd7e219dae218dce218dfe318e1e318e4e318e7e419e9e419ece41aeee51bf1e51cf3e51ef6e61ff8e621fae622fde724';
/** matplotlib's "gray" as bytes (not quite the identity: (i/255)·255 truncates low at some i). */
const GRAY_HEX =
  '0000000101010202020303030404040505050606060707070808080909090a0a0a0b0b0b0c0c0c0d0d0d0e0e0e0f0f0f' +
  '1010101111111212121313131414141515151616161717171818181919191a1a1a1b1b1b1c1c1c1d1d1d1e1e1e1f1f1f' +
  '2020202020202222222323232424242424242626262727272828282828282a2a2a2b2b2b2c2c2c2c2c2c2e2e2e2f2f2f' +
  '3030303030303232323333333434343434343636363737373838383838383a3a3a3b3b3b3c3c3c3c3c3c3e3e3e3f3f3f' +
  '4040404141414141414343434444444545454646464747474848484949494949494b4b4b4c4c4c4d4d4d4e4e4e4f4f4f' +
  '5050505151515151515353535454545555555656565757575858585959595959595b5b5b5c5c5c5d5d5d5e5e5e5f5f5f' +
  '6060606161616161616363636464646565656666666767676868686969696969696b6b6b6c6c6c6d6d6d6e6e6e6f6f6f' +
  '7070707171717171717373737474747575757676767777777878787979797979797b7b7b7c7c7c7d7d7d7e7e7e7f7f7f' +
  '8080808181818282828383838383838585858686868787878888888989898a8a8a8b8b8b8c8c8c8d8d8d8e8e8e8f8f8f' +
  '9090909191919292929393939393939595959696969797979898989999999a9a9a9b9b9b9c9c9c9d9d9d9e9e9e9f9f9f' +
  'a0a0a0a1a1a1a2a2a2a3a3a3a3a3a3a5a5a5a6a6a6a7a7a7a8a8a8a9a9a9aaaaaaabababacacacadadadaeaeaeafafaf' +
  'b0b0b0b1b1b1b2b2b2b3b3b3b3b3b3b5b5b5b6b6b6b7b7b7b8b8b8b9b9b9babababbbbbbbcbcbcbdbdbdbebebebfbfbf' +
  'c0c0c0c1c1c1c2c2c2c3c3c3c3c3c3c5c5c5c6c6c6c7c7c7c8c8c8c9c9c9cacacacbcbcbcccccccdcdcdcecececfcfcf' +
  'd0d0d0d1d1d1d2d2d2d3d3d3d3d3d3d5d5d5d6d6d6d7d7d7d8d8d8d9d9d9dadadadbdbdbdcdcdcdddddddedededfdfdf' +
  'e0e0e0e1e1e1e2e2e2e3e3e3e3e3e3e5e5e5e6e6e6e7e7e7e8e8e8e9e9e9eaeaeaebebebecececedededeeeeeeefefef' +
  'f0f0f0f1f1f1f2f2f2f3f3f3f3f3f3f5f5f5f6f6f6f7f7f7f8f8f8f9f9f9fafafafbfbfbfcfcfcfdfdfdfefefeffffff';

const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
const TABLES: Record<string, Uint8Array> = { viridis: fromHex(VIRIDIS_HEX), gray: fromHex(GRAY_HEX) };

function reversed(t: Uint8Array): Uint8Array {
  const out = new Uint8Array(t.length);
  for (let i = 0; i < 256; i++) out.set(t.subarray((255 - i) * 3, (256 - i) * 3), i * 3);
  return out;
}

/** Colormap names this layer knows; others fall back to viridis (the caller may warn). */
export function colormapTable(name: string): { table: Uint8Array; known: boolean } {
  // name → (table, reversed); "binary" and "Greys" run white → black. Any name may end in "_r".
  const alias: Record<string, [string, boolean]> = {
    viridis: ['viridis', false],
    gray: ['gray', false],
    grey: ['gray', false],
    binary: ['gray', true],
    Greys: ['gray', true],
  };
  const rev = name.endsWith('_r');
  const hit = alias[rev ? name.slice(0, -2) : name];
  if (!hit) return { table: TABLES.viridis, known: false };
  const flip = hit[1] !== rev;
  return { table: flip ? reversed(TABLES[hit[0]]) : TABLES[hit[0]], known: true };
}

/**
 * A single-band image through a colormap, as matplotlib's Normalize + Colormap do it:
 * x = (v − vmin) / (vmax − vmin) (vmin/vmax default to the data's min/max; equal → 0),
 * index = floor(x · 256) clamped to 0..255.
 */
export function applyColormap(p: Pixels, cmap = 'viridis', vmin: number | null = null, vmax: number | null = null): Pixels {
  if (p.channels !== 1) throw new Error('applyColormap needs a single-band (L) image');
  const { table } = colormapTable(cmap);
  let lo = vmin;
  let hi = vmax;
  if (lo === null || hi === null) {
    let mn = 255;
    let mx = 0;
    for (const v of p.data) {
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    if (p.data.length === 0) mn = mx = 0;
    lo ??= mn;
    hi ??= mx;
  }
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const x = hi === lo ? 0 : (v - lo) / (hi - lo);
    let idx = Math.floor(x * 256);
    if (idx < 0) idx = 0;
    if (idx > 255) idx = 255;
    lut[v] = idx;
  }
  const out = createPixels(p.width, p.height, 3);
  for (let i = 0, o = 0; i < p.data.length; i++, o += 3) {
    const t = lut[p.data[i]] * 3;
    out.data[o] = table[t];
    out.data[o + 1] = table[t + 1];
    out.data[o + 2] = table[t + 2];
  }
  return out;
}

/** RGB for display: L replicated, RGBA composited over the white figure background. */
export function toDisplayRgb(p: Pixels): Pixels {
  if (p.channels === 3) return p;
  const out = createPixels(p.width, p.height, 3);
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    if (p.channels === 1) {
      out.data[i * 3] = out.data[i * 3 + 1] = out.data[i * 3 + 2] = p.data[i];
    } else {
      const a = p.data[i * 4 + 3];
      for (let c = 0; c < 3; c++) out.data[i * 3 + c] = Math.round((p.data[i * 4 + c] * a + 255 * (255 - a)) / 255);
    }
  }
  return out;
}

export interface GridOptions {
  /** White gap between cells, in pixels. */
  gap?: number;
  maxPixels?: number;
}

/**
 * Lays out `cells` (row-major, nrows × ncols; null = an empty axes) on a white canvas. The cell
 * size is the largest image width × height; each image is scaled with BILINEAR to fit its cell
 * with its aspect ratio kept (no scaling when it already has the cell's size) and centred.
 */
export function composeGrid(cells: readonly (Pixels | null)[], nrows: number, ncols: number, opts: GridOptions = {}): Pixels {
  if (cells.length !== nrows * ncols) throw new Error(`composeGrid: ${cells.length} cells for a ${nrows}×${ncols} grid`);
  const gap = opts.gap ?? 8;
  const imgs = cells.filter((c): c is Pixels => c !== null && c.width > 0 && c.height > 0);
  if (imgs.length === 0) throw new Error('composeGrid: no images to lay out');
  const cw = Math.max(...imgs.map((c) => c.width));
  const chh = Math.max(...imgs.map((c) => c.height));
  const W = ncols * cw + (ncols - 1) * gap;
  const H = nrows * chh + (nrows - 1) * gap;
  checkPixelLimit(W, H, opts.maxPixels ?? Infinity);
  const out = createPixels(W, H, 3);
  out.data.fill(255);
  cells.forEach((cell, i) => {
    if (!cell || cell.width === 0 || cell.height === 0) return;
    const s = Math.min(cw / cell.width, chh / cell.height);
    const nw = Math.max(1, Math.min(cw, Math.round(cell.width * s)));
    const nh = Math.max(1, Math.min(chh, Math.round(cell.height * s)));
    const scaled = toDisplayRgb(nw === cell.width && nh === cell.height ? cell : resize(cell, nw, nh, Resampling.BILINEAR));
    const x0 = (i % ncols) * (cw + gap) + Math.floor((cw - nw) / 2);
    const y0 = Math.floor(i / ncols) * (chh + gap) + Math.floor((chh - nh) / 2);
    for (let y = 0; y < nh; y++) {
      out.data.set(scaled.data.subarray(y * nw * 3, (y + 1) * nw * 3), ((y0 + y) * W + x0) * 3);
    }
  });
  return out;
}
