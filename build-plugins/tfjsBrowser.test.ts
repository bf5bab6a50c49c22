/**
 * Browser bundles get tfjsBrowser.ts for `@tensorflow/tfjs` (no tfjs-layers / tfjs-data). Type
 * checking cannot catch a use of a name it lacks (the code is typed against the real package),
 * so this test does: every `tf.<name>` in browser code must exist in the lighter module.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as real from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as lite from './tfjsBrowser';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('tfjsBrowser', () => {
  it('exports every tf.* name the browser code uses', () => {
    const missing = new Set(Object.keys(real).filter((k) => !(k in lite)));
    expect(missing.has('layers') && missing.has('data')).toBe(true); // what it leaves out
    const used = new Map<string, string>();
    for (const file of ['app', 'src', 'workers'].flatMap((d) => sources(path.resolve(d)))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/\btf\.([A-Za-z_$][\w$]*)/g)) used.set(m[1]!, path.relative('.', file));
    }
    expect(used.size).toBeGreaterThan(20);
    const broken = [...used].filter(([name]) => missing.has(name)).map(([name, file]) => `tf.${name} (${file})`);
    expect(broken).toEqual([]);
  });
});
