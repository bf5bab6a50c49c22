#!/usr/bin/env node
// Copies Pyodide's core files from node_modules/pyodide into public/pyodide/ (gitignored), so the
// app serves Pyodide itself and needs no network at run time. Skips files that are up to date
// (same size, not older than the source). Run by `npm run dev` / `npm run build`
// (`npm run prepare-assets`).
//
// It also writes public/pyodide/pv-files.json, the list of files served there: the Python worker
// reads it to decide between Pyodide's real packages and the compatibility layer ('auto') without
// probing for a wheel that is not there (a 404, a red line in every newcomer's network panel).
// Put a full Pyodide distribution into public/pyodide/ and the next build lists its wheels.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyIfNewer } from './copy-if-newer.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'node_modules', 'pyodide');
const dest = join(root, 'public', 'pyodide');

const REQUIRED = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'];
const OPTIONAL = ['pyodide.js'];

if (!existsSync(join(src, 'package.json'))) {
  console.error(`copy-pyodide: ${src} not found; run \`npm ci\` first.`);
  process.exit(1);
}
const version = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')).version;

mkdirSync(dest, { recursive: true });
let copied = 0;
let skipped = 0;
for (const name of [...REQUIRED, ...OPTIONAL]) {
  const from = join(src, name);
  const to = join(dest, name);
  if (!existsSync(from)) {
    if (REQUIRED.includes(name)) {
      console.error(`copy-pyodide: required file ${from} is missing (pyodide ${version}).`);
      process.exit(1);
    }
    continue;
  }
  if (copyIfNewer(from, to)) copied++;
  else skipped++;
}
const LISTING = 'pv-files.json';
const files = readdirSync(dest, { withFileTypes: true })
  .filter((e) => e.isFile() && e.name !== LISTING)
  .map((e) => e.name)
  .sort();
const listing = JSON.stringify({ pyodide: version, files }, null, 1) + '\n';
const listingPath = join(dest, LISTING);
if (!existsSync(listingPath) || readFileSync(listingPath, 'utf8') !== listing) writeFileSync(listingPath, listing);
console.log(`copy-pyodide: pyodide ${version} -> public/pyodide/ (${copied} copied, ${skipped} up to date; ${files.length} files listed in ${LISTING})`);
