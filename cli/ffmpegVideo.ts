/**
 * A FrameProvider for Node backed by the ffmpeg/ffprobe command-line tools: the video's
 * metadata up front, then single frames decoded on demand (only what Python asks for).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FrameProvider, Pixels, VideoMeta } from '../src/runtime/types';

const run = promisify(execFile);

export async function probeVideo(file: string): Promise<VideoMeta> {
  let stdout: string;
  try {
    ({ stdout } = await run('ffprobe', [
      '-v', 'error', '-select_streams', 'v:0', '-count_packets',
      '-show_entries', 'stream=width,height,avg_frame_rate,r_frame_rate,nb_read_packets,nb_frames',
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
  const meta = { width: Number(stream.width), height: Number(stream.height), frameCount, fps: rate(stream.avg_frame_rate) || rate(stream.r_frame_rate) };
  if (!(meta.width > 0 && meta.height > 0 && meta.frameCount > 0)) throw new Error(`could not read the size or frame count of ${file}`);
  return meta;
}

export async function ffmpegFrameProvider(file: string): Promise<FrameProvider> {
  const meta = await probeVideo(file);
  return {
    meta,
    async getFrame(index: number): Promise<Pixels> {
      // select by frame number (exact, unlike seeking by time), decode to raw RGB.
      const { stdout } = await run(
        'ffmpeg',
        ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${index})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
        { encoding: 'buffer', maxBuffer: meta.width * meta.height * 3 + 1024 },
      );
      const data = new Uint8Array(stdout as unknown as Buffer);
      if (data.length !== meta.width * meta.height * 3) throw new Error(`ffmpeg returned no frame ${index}`);
      return { width: meta.width, height: meta.height, channels: 3, data };
    },
  };
}
