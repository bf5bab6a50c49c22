#!/usr/bin/env node
// Copies Pyodide's core files from node_modules/pyodide into public/pyodide/ (gitignored), so the
// app serves Pyodide itself and needs no network at run time. Skips files that are up to date
// (same size, not older than the source). Run by `npm run dev` / `npm run build`
// (`npm run prepare-assets`).
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const a = statSync(from);
  if (existsSync(to)) {
    const b = statSync(to);
    if (b.size === a.size && b.mtimeMs >= a.mtimeMs) {
      skipped++;
      continue;
    }
  }
  copyFileSync(from, to);
  copied++;
}
console.log(`copy-pyodide: pyodide ${version} -> public/pyodide/ (${copied} copied, ${skipped} up to date)`);
