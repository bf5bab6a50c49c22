#!/usr/bin/env node
// Fetches the training media listed in data/training-media.json (real photographs and photo
// cut-outs from Debian bookworm packages) into .cache/media/: downloads each package with
// `apt-get download PKG=VERSION` (no root needed; Debian's apt sources must be reachable),
// unpacks it with `dpkg-deb -x`, pulls files out of GCompris's Qt resource bundles (.rcc), and
// copies every entry to .cache/media/files/<id>.<ext> with an index. Safe to re-run: what is
// there is kept. Used by `npm run train:sft` (cli/trainSft.ts) before it builds real-media data.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, '.cache', 'media'));
const manifest = JSON.parse(readFileSync(join(root, 'data', 'training-media.json'), 'utf8'));

/** The file at `inner` (a '/'-separated tree path) inside a Qt .rcc resource bundle. */
function fromRcc(rccFile, inner) {
  const b = readFileSync(rccFile);
  if (b.toString('latin1', 0, 4) !== 'qres') throw new Error(`${rccFile} is not a Qt resource bundle`);
  const version = b.readUInt32BE(4);
  const tree = b.readUInt32BE(8);
  const data = b.readUInt32BE(12);
  const names = b.readUInt32BE(16);
  const nodeSize = version === 1 ? 14 : 22;
  const nameAt = (off) => {
    const len = b.readUInt16BE(names + off);
    const chars = [];
    for (let i = 0; i < len; i++) chars.push(b.readUInt16BE(names + off + 6 + 2 * i));
    return String.fromCharCode(...chars);
  };
  let node = 0;
  for (const part of inner.split('/')) {
    const o = tree + node * nodeSize;
    if (!(b.readUInt16BE(o + 4) & 2)) throw new Error(`${inner}: ${part} is inside a file`);
    const count = b.readUInt32BE(o + 6);
    const first = b.readUInt32BE(o + 10);
    let hit = -1;
    for (let c = first; c < first + count && hit < 0; c++) if (nameAt(b.readUInt32BE(tree + c * nodeSize)) === part) hit = c;
    if (hit < 0) throw new Error(`${inner} is not in ${basename(rccFile)}`);
    node = hit;
  }
  const o = tree + node * nodeSize;
  const flags = b.readUInt16BE(o + 4);
  const at = data + b.readUInt32BE(o + 10);
  const body = b.subarray(at + 4, at + 4 + b.readUInt32BE(at));
  if (flags & 4) throw new Error(`${inner} is zstd-compressed (not supported)`);
  return flags & 1 ? inflateSync(body.subarray(4)) : body;
}

function fetchPackage(pkg, version) {
  const debs = join(out, 'debs');
  mkdirSync(debs, { recursive: true });
  const epochless = version.replace(/^\d+:/, '');
  const find = () => readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && [`_${version}_`, `_${epochless}_`].some((v) => decodeURIComponent(f).includes(v)));
  if (!find()) {
    console.log(`fetch-training-media: apt-get download ${pkg}=${version}`);
    try {
      execFileSync('apt-get', ['download', `${pkg}=${version}`], { cwd: debs, stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      throw new Error(`could not download ${pkg}=${version} (run 'sudo apt-get update' first; Debian bookworm's packages must be reachable)`);
    }
  }
  const dir = join(out, 'x', pkg);
  if (!existsSync(join(dir, '.unpacked'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('dpkg-deb', ['-x', join(debs, find()), dir]);
    writeFileSync(join(dir, '.unpacked'), version);
  }
  return dir;
}

const dirs = new Map();
const index = [];
mkdirSync(join(out, 'files'), { recursive: true });
for (const e of manifest.entries) {
  const key = `${e.package}=${e.version}`;
  if (!dirs.has(key)) dirs.set(key, fetchPackage(e.package, e.version));
  const dir = dirs.get(key);
  const [container, inner] = e.src.split('!');
  const ext = extname(inner ?? container).toLowerCase();
  const file = join(out, 'files', `${e.id}${ext}`);
  if (!existsSync(file)) {
    if (inner) writeFileSync(file, fromRcc(join(dir, container), inner));
    else copyFileSync(join(dir, container), file);
  }
  index.push({ ...e, file });
}
writeFileSync(join(out, 'index.json'), JSON.stringify(index, null, 1));
console.log(`fetch-training-media: ${index.length} files in ${join(out, 'files')} from ${dirs.size} packages`);

// ---- Signs: words rendered with ImageMagick onto the JPEG/PNG training photos ----
// Real photos with legible text are rare, so read_text() learns from photographed-looking
// signs: a plain board with one or two words or a number, slightly turned, on a real photo.
const WORDS = `OPEN CLOSED EXIT ENTRANCE STOP SALE BAKERY CAFE COFFEE PHARMACY HOTEL TAXI BUS PARKING POLICE
  MUSEUM LIBRARY STATION SCHOOL MARKET GARDEN BEACH PARK ZOO FARM BOOKS FLOWERS PIZZA BREAD FRUIT FISH
  WELCOME TOILETS PLATFORM TICKETS INFORMATION DANGER SLOW QUIET PUSH PULL FREE FRESH HOT COLD NORTH SOUTH
  EAST WEST CENTRE HARBOUR BRIDGE RIVER MOUNTAIN LAKE CASTLE CHURCH TOWER MILL ROAD STREET AVENUE SQUARE
  Bakery Cafe Garden Market Hotel Station Library Welcome Open Sale Books Flowers Coffee Museum`.split(/\s+/).filter(Boolean);
const FONTS = ['DejaVuSans-Bold.ttf', 'DejaVuSerif-Bold.ttf', 'DejaVuSans.ttf', 'DejaVuSansCondensed-Bold.ttf'];
const fontDir = '/usr/share/fonts/truetype/dejavu';
const SIGNS = 160;
function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const signDir = join(out, 'signs');
const signIndex = join(signDir, 'index.json');
if (!existsSync(signIndex)) {
  // ImageMagick's binary when it and the fonts are installed, else undefined.
  const signTools = () => (existsSync(join(fontDir, FONTS[0])) ? ['/usr/bin/convert', '/usr/bin/magick'].find((f) => existsSync(f)) : undefined);
  // As npm test does for its system packages: install them when we are root (a fresh machine).
  if (!signTools() && process.getuid?.() === 0) {
    console.log('fetch-training-media: apt-get install imagemagick fonts-dejavu-core (to render the signs)');
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'imagemagick', 'fonts-dejavu-core'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  const convert = signTools();
  if (!convert) {
    console.error('fetch-training-media: ImageMagick and DejaVu fonts are needed to render the signs: sudo apt-get install -y imagemagick fonts-dejavu-core');
    process.exit(1);
  }
  mkdirSync(signDir, { recursive: true });
  const rand = mulberry32(20261207);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const backgrounds = index.filter((e) => e.kind === 'photo' && /\.(jpe?g|png)$/i.test(e.file));
  const signs = [];
  for (let i = 0; i < SIGNS; i++) {
    const r = rand();
    const text = r < 0.2 ? String(Math.floor(rand() * 990) + 10) : r < 0.55 ? `${pick(WORDS)} ${pick(WORDS)}` : pick(WORDS);
    const dark = rand() < 0.35;
    const board = dark ? pick(['#1d3b6e', '#14532d', '#222222', '#7f1d1d']) : pick(['#ffffff', '#f7e9a0', '#f2efe6', '#ffe08a']);
    const ink = dark ? '#ffffff' : pick(['#111111', '#1d3b6e', '#8b1a1a']);
    const size = 28 + Math.floor(rand() * 40);
    const angle = (rand() * 10 - 5).toFixed(1);
    const x = Math.floor(rand() * 420);
    const y = Math.floor(rand() * 260);
    const file = join(signDir, `sign-${String(i).padStart(3, '0')}.png`);
    execFileSync(convert, [
      pick(backgrounds).file, '-resize', '960x640^', '-gravity', 'center', '-extent', '960x640', '-gravity', 'northwest',
      '(', '-background', board, '-fill', ink, '-font', join(fontDir, pick(FONTS)), '-pointsize', String(size), `label:${text}`,
      '-bordercolor', board, '-border', String(Math.round(size * 0.4)), '-bordercolor', '#444444', '-border', '3',
      '-background', 'none', '-rotate', angle, ')', '-geometry', `+${x}+${y}`, '-composite', '-strip', file,
    ]);
    signs.push({ id: `sign-${String(i).padStart(3, '0')}`, file, text });
  }
  writeFileSync(signIndex, JSON.stringify(signs, null, 1));
  console.log(`fetch-training-media: ${signs.length} signs in ${signDir}`);
}
