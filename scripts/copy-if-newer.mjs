// Shared by the asset copy scripts: copy a file unless the copy is already up to date (same
// size, not older than the source), so repeated builds touch nothing.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Copies `from` to `to` (creating its folder); false when `to` was already up to date. */
export function copyIfNewer(from, to) {
  const a = statSync(from);
  if (existsSync(to)) {
    const b = statSync(to);
    if (b.size === a.size && b.mtimeMs >= a.mtimeMs) return false;
  }
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  return true;
}
