#!/usr/bin/env node
// Copies the perception models out of their npm packages into public/ (gitignored), so the app
// serves them itself (no hub, no CDN): the CenterNet-MobileNetV3 COCO detector from
// @vladmandic/human into public/perception/, and Tesseract's worker, LSTM cores and English
// data from tesseract.js, tesseract.js-core and @tesseract.js-data/eng into public/tesseract/.
// Skips files that are up to date. Run by `npm run prepare-assets` (dev and build).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyIfNewer } from './copy-if-newer.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nm = join(root, 'node_modules');

const FILES = [
  // [from (under node_modules), to (under public)]
  ['@vladmandic/human/models/centernet.json', 'perception/centernet.json'],
  ['@vladmandic/human/models/centernet.bin', 'perception/centernet.bin'],
  ['tesseract.js/dist/worker.min.js', 'tesseract/worker.min.js'],
  // OEM 1 (LSTM only): tesseract.js picks one of these by the browser's SIMD support.
  ['tesseract.js-core/tesseract-core-relaxedsimd-lstm.wasm.js', 'tesseract/tesseract-core-relaxedsimd-lstm.wasm.js'],
  ['tesseract.js-core/tesseract-core-simd-lstm.wasm.js', 'tesseract/tesseract-core-simd-lstm.wasm.js'],
  ['tesseract.js-core/tesseract-core-lstm.wasm.js', 'tesseract/tesseract-core-lstm.wasm.js'],
  ['@tesseract.js-data/eng/4.0.0_best_int/eng.traineddata.gz', 'tesseract/eng.traineddata.gz'],
];

// What the models are and their licences, next to the files (scripts/perception-models.md).
const NOTES = [['perception/README.md'], ['tesseract/README.md']];

let copied = 0;
let skipped = 0;
for (const [rel, out] of FILES) {
  const from = join(nm, rel);
  const to = join(root, 'public', out);
  if (!existsSync(from)) {
    console.error(`copy-perception: ${from} is missing; run \`npm ci\` first.`);
    process.exit(1);
  }
  if (copyIfNewer(from, to)) copied++;
  else skipped++;
}
for (const [out] of NOTES) {
  mkdirSync(dirname(join(root, 'public', out)), { recursive: true });
  copyFileSync(join(root, 'scripts', 'perception-models.md'), join(root, 'public', out));
}
console.log(`copy-perception: detector and OCR -> public/perception/, public/tesseract/ (${copied} copied, ${skipped} up to date)`);
