/**
 * storeZip on Pyodide's real standard library archive, checked by an independent reader:
 * Debian's Python (zipfile.testzip verifies every member's CRC) and a member-by-member
 * comparison with the original.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStored, storeZip } from './storedZip';

const STDLIB = path.resolve('node_modules/pyodide/python_stdlib.zip');

describe('storeZip', () => {
  it('stores every member of python_stdlib.zip with the same names, bytes and CRCs', () => {
    const original = fs.readFileSync(STDLIB);
    expect(isStored(original)).toBe(false);
    const stored = storeZip(original);
    expect(isStored(stored)).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stored-zip-'));
    const a = path.join(dir, 'original.zip');
    const b = path.join(dir, 'stored.zip');
    fs.writeFileSync(a, original);
    fs.writeFileSync(b, stored);
    const check = [
      'import sys, zipfile',
      'a, b = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2])',
      'assert b.testzip() is None',
      'assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]',
      'assert all(i.compress_type == zipfile.ZIP_STORED for i in b.infolist())',
      'assert all(a.read(n) == b.read(n) for n in a.namelist())',
      'assert all(x.date_time == y.date_time and x.CRC == y.CRC for x, y in zip(a.infolist(), b.infolist()))',
      'print(len(b.infolist()))',
    ].join('\n');
    const out = execFileSync('python3', ['-c', check, a, b], { encoding: 'utf8' });
    expect(Number(out.trim())).toBeGreaterThan(500);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is idempotent: a stored archive comes out byte for byte the same', () => {
    const stored = storeZip(fs.readFileSync(STDLIB));
    expect(storeZip(stored).equals(stored)).toBe(true);
  });

  it('rejects what it does not support instead of writing a broken archive', () => {
    expect(() => storeZip(Buffer.from('not a zip at all, just some bytes padding padding'))).toThrow(/not a zip/);
  });
});
