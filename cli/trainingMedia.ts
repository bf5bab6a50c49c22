/**
 * The training media in Node: data/training-media.json's files as fetched into .cache/media/ by
 * scripts/fetch-training-media.mjs (run here when they are missing), as a RealMediaLibrary for
 * the real-media SFT data (src/model/sft/realData.ts).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RealMediaEntry, RealMediaLibrary, SignEntry } from '../src/model/sft/realData';
import { boxReduce } from '../src/perception/blobs';
import type { Pixels } from '../src/runtime/types';
import { readImageFile } from './imageFile';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Photos are used at most this big (the detector sees 512 px; composites are 960 px wide). */
const MAX_SIDE = 1600;

interface IndexEntry extends RealMediaEntry {
  file: string;
  licence: string;
}

export function trainingMedia(dir = path.join(repoRoot, '.cache', 'media')): RealMediaLibrary {
  const indexFile = path.join(dir, 'index.json');
  const signFile = path.join(dir, 'signs', 'index.json');
  if (!fs.existsSync(indexFile) || !fs.existsSync(signFile)) {
    console.error('training media are missing: fetching them (scripts/fetch-training-media.mjs)…');
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'fetch-training-media.mjs'), dir], { stdio: 'inherit' });
  }
  const entries = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as IndexEntry[];
  const signs = JSON.parse(fs.readFileSync(signFile, 'utf8')) as Array<SignEntry & { file: string }>;
  const files = new Map<string, string>([...entries.map((e) => [e.id, e.file] as const), ...signs.map((s) => [s.id, s.file] as const)]);
  const cache = new Map<string, Pixels>();
  return {
    entries: entries.map(({ id, kind, objects }) => ({ id, kind, objects })),
    signs: signs.map(({ id, text }) => ({ id, text })),
    async load(id: string): Promise<Pixels> {
      const hit = cache.get(id);
      if (hit) return hit;
      const file = files.get(id);
      if (!file) throw new Error(`no training media entry '${id}'`);
      const p = readImageFile(file);
      const px = Math.max(p.width, p.height) > MAX_SIDE ? boxReduce(p, MAX_SIDE).pixels : p;
      // Cut-outs keep their alpha channel; photos are used as RGB.
      cache.set(id, px);
      if (cache.size > 64) cache.delete(cache.keys().next().value!);
      return px;
    },
  };
}
