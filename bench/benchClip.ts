/**
 * The benchmarks' real video: 40 s, 25 fps, 1280×720 H.264 (libx264 defaults) in MP4, a slow
 * pan over each of eight real photographs of eval/real/photos (licences in
 * eval/real/media.json), made with ffmpeg and cached in the temp dir (never committed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Real photographs from the repository's evaluation set (licences in eval/real/media.json).
const PHOTOS = path.join(ROOT, 'eval', 'real', 'photos');
const PHOTO_NAMES = [
  'friends-by-aitzol-berasategi.jpg',
  'giraffe.jpg',
  'horse-4x3.jpg',
  'wine-by-jakkub-mede.jpg',
  'cow.jpg',
  'citrus-fruits.jpg',
  'train-2x2.jpg',
  '2560x1600.jpg',
]
const SECONDS_PER_PHOTO = 5;
const FPS = 25;

/** The 40 s clip (cached in the temp dir): each photo scaled to cover 1280×720 (plus margin) and panned across. */
export function makeClip(log: (s: string) => void = () => {}): string {
  const dir = path.join(tmpdir(), 'pyvision-bench-video');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `slideshow-${PHOTO_NAMES.length * SECONDS_PER_PHOTO}s-${FPS}fps-720p.mp4`);
  if (existsSync(out) && statSync(out).size > 0) return out;
  const inputs: string[] = [];
  const filters: string[] = [];
  PHOTO_NAMES.forEach((name, k) => {
    inputs.push('-loop', '1', '-framerate', String(FPS), '-t', String(SECONDS_PER_PHOTO), '-i', path.join(PHOTOS, name));
    // Cover 1440×810, then move a 1280×720 window diagonally across it over the 5 s.
    const T = SECONDS_PER_PHOTO;
    filters.push(
      `[${k}:v]scale=1440:810:force_original_aspect_ratio=increase,crop=1440:810,` +
        `crop=1280:720:x='(iw-1280)*t/${T}':y='(ih-720)*(1-t/${T})',setsar=1,format=yuv420p[v${k}]`,
    );
  });
  const concat = PHOTO_NAMES.map((_, k) => `[v${k}]`).join('') + `concat=n=${PHOTO_NAMES.length}:v=1:a=0[out]`;
  log(`making the clip with ffmpeg → ${out}`);
  execFileSync(
    'ffmpeg',
    ['-v', 'error', '-y', ...inputs, '-filter_complex', [...filters, concat].join(';'), '-map', '[out]', '-r', String(FPS), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-movflags', '+faststart', out],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return out;
}

