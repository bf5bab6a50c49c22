/**
 * A FrameProvider for Node backed by the ffmpeg/ffprobe command-line tools: the video's
 * metadata up front, then single frames decoded on demand (only what Python asks for).
 *
 * Frame i is found by input seeking to half a frame before its timestamp (start + (i − ½)/fps):
 * ffmpeg then decodes from the key frame before it and returns the first frame at or after that
 * time, which is frame i (checked against `select=eq(n,i)` on constant-rate clips). That costs
 * the same for every index, where selecting by number decodes every frame before i. Selecting
 * by number stays as the fallback when a seek returns nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FrameProvider, Pixels, VideoMeta } from '../src/runtime/types';

const run = promisify(execFile);

export async function probeVideo(file: string): Promise<VideoMeta & { start: number }> {
  let stdout: string;
  try {
    ({ stdout } = await run('ffprobe', [
      '-v', 'error', '-select_streams', 'v:0', '-count_packets',
      '-show_entries', 'stream=width,height,avg_frame_rate,r_frame_rate,nb_read_packets,nb_frames,start_time',
      '-of', 'json', file,
    ]));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('reading videos needs ffmpeg (apt-get install -y ffmpeg)');
    throw new Error(`not a readable video: ${file}: ${(e.stderr ?? e.message).trim().split('\n').pop()}`);
  }
  const stream = (JSON.parse(stdout) as { streams?: Array<Record<string, string | number>> }).streams?.[0];
  if (!stream) throw new Error(`no video stream in ${file}`);
  const rate = (r: unknown) => {
    const [n, d] = String(r ?? '0/1').split('/').map(Number);
    return d ? n! / d : 0;
  };
  const frameCount = Number(stream.nb_read_packets ?? stream.nb_frames);
  const meta = { width: Number(stream.width), height: Number(stream.height), frameCount, fps: rate(stream.avg_frame_rate) || rate(stream.r_frame_rate), start: Number(stream.start_time) || 0 };
  if (!(meta.width > 0 && meta.height > 0 && meta.frameCount > 0)) throw new Error(`could not read the size or frame count of ${file}`);
  return meta;
}

export async function ffmpegFrameProvider(file: string): Promise<FrameProvider> {
  const { start, ...meta } = await probeVideo(file);
  const bytes = meta.width * meta.height * 3;
  const decode = async (args: string[]) => {
    const { stdout } = await run('ffmpeg', ['-v', 'error', ...args, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer', maxBuffer: bytes + 1024 });
    return new Uint8Array(stdout as unknown as Buffer);
  };
  return {
    meta,
    async getFrame(index: number): Promise<Pixels> {
      const t = Math.max(0, start + (index - 0.5) / meta.fps);
      let data = meta.fps > 0 ? await decode(['-ss', t.toFixed(6), '-i', file]) : new Uint8Array(0);
      if (data.length !== bytes) data = await decode(['-i', file, '-vf', `select=eq(n\\,${index})`]);
      if (data.length !== bytes) throw new Error(`ffmpeg returned no frame ${index}`);
      return { width: meta.width, height: meta.height, channels: 3, data };
    },
  };
}
