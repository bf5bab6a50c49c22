/**
 * `npm run py -- script.py [--image file]... [--video file] [--out dir] [--timeout ms]`
 *
 * Runs a script in the same Python runtime as the app (the Node implementation): images
 * are bound as image_clue_0…, a video as video_clue_0; stdout is printed, each shown figure
 * is written as a PNG into --out, and an error exits non-zero with its traceback.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodePngBytes } from '../src/imaging';
import { readImageFile } from './imageFile';
import type { Pixels, SessionInputs } from '../src/runtime/types';
import { createNodeRuntime } from '../workers/node/nodeRuntime';
import { ffmpegFrameProvider } from './ffmpegVideo';
import { runIfMain } from './runMain';

const USAGE = 'usage: npm run py -- script.py [--image file]... [--video file] [--out dir] [--timeout ms]';

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      image: { type: 'string', multiple: true, default: [] },
      video: { type: 'string' },
      out: { type: 'string', default: 'py-out' },
      timeout: { type: 'string', default: '30000' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const script = fs.readFileSync(positionals[0]!, 'utf8');
  const images: Pixels[] = values.image!.map((file) => {
    try {
      return readImageFile(file);
    } catch (err) {
      throw new Error(`cannot read image ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const inputs: SessionInputs = { images, ...(values.video ? { video: await ffmpegFrameProvider(values.video) } : {}) };

  const runtime = await createNodeRuntime({ poolSize: 1, limits: { timeoutMs: Number(values.timeout) } });
  try {
    const session = await runtime.openSession(inputs);
    const result = await session.run(script);
    process.stdout.write(result.output);
    if (result.figures.length) {
      fs.mkdirSync(values.out!, { recursive: true });
      result.figures.forEach((fig, i) => {
        const file = path.join(values.out!, `figure_${i + 1}.png`);
        fs.writeFileSync(file, encodePngBytes(fig.pixels));
        console.error(`figure ${i + 1}: ${file} (${fig.pixels.width}×${fig.pixels.height}${fig.titles.length ? `, "${fig.titles.join(' / ')}"` : ''})`);
      });
    }
    if (result.figuresDropped) console.error(`${result.figuresDropped} more figure(s) were shown but not kept (figure limit)`);
    if (result.error) {
      console.error(result.error.traceback || result.error.message);
      return 1;
    }
    return 0;
  } finally {
    await runtime.dispose();
  }
}

runIfMain(import.meta.url, main);
