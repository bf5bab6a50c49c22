/**
 * `npm run bench:tasks`: how long task generation takes (training generates many), as JSON.
 * Median of several seeds per case; the video case draws every frame of the clip.
 */
import { makeCountingTask } from '../src/tasks/counting';
import { makeVideoTask } from '../src/tasks/videoEvents';
import { makeVisualSearchTask } from '../src/tasks/visualSearch';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function time(fn: (seed: number) => unknown, runs = 7): number {
  const ms: number[] = [];
  for (let seed = 1; seed <= runs; seed++) {
    const t = performance.now();
    fn(seed);
    ms.push(performance.now() - t);
  }
  return +median(ms).toFixed(1);
}

async function main() {
  const video = makeVideoTask({ seed: 1 });
  const frames = video.media.kind === 'video' ? video.media.video : null;
  let allFramesMs = 0;
  if (frames) {
    const t = performance.now();
    for (let i = 0; i < frames.meta.frameCount; i++) await frames.getFrame(i);
    allFramesMs = performance.now() - t;
  }
  console.log(
    JSON.stringify(
      {
        visual_search_512_ms: time((seed) => makeVisualSearchTask({ seed, canvasSize: [512, 512] })),
        visual_search_1024_ms: time((seed) => makeVisualSearchTask({ seed, canvasSize: [1024, 1024] })),
        visual_search_2048_ms: time((seed) => makeVisualSearchTask({ seed, canvasSize: [2048, 2048] })),
        counting_default_ms: time((seed) => makeCountingTask({ seed })),
        video_task_ms: time((seed) => makeVideoTask({ seed })),
        video_frames: frames?.meta.frameCount ?? 0,
        video_all_frames_ms: +allFramesMs.toFixed(1),
      },
      null,
      2,
    ),
  );
}

void main();
