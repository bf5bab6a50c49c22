/**
 * Export/import of task sets in PyVision-RL's dataset row shape, so data moves between this
 * app and GPU-cluster trainers.
 *
 * Layout (what export writes and import reads back, byte for byte):
 * - `data.jsonl`-style text: one row per task, {id, question, answer, ability, data_source,
 *   image_path | video_path, extra_info}. `answer` is "" when unknown (the user's own media).
 *   `extra_info` (verl's free-form column, ignored by trainers that do not know it) carries what
 *   this app needs to rebuild the task exactly: family, seed, difficulty, answer_spec, truth.
 * - images: `images/<id>.png` (lossless, so the pixels round-trip exactly);
 * - videos: a frames folder `videos/<id>/` with `frame_00000.png`, … and `meta.json`
 *   ({width, height, frameCount, fps}); `video_path` is the folder. A frames folder keeps the
 *   pixels exact and needs no video codec here; on a cluster, `ffmpeg -framerate <fps> -i
 *   videos/<id>/frame_%05d.png <id>.mp4` turns it into the file decord expects.
 * Rows without extra_info (datasets made elsewhere) import as 'user' tasks with a text answer.
 */
import { z } from 'zod';
import { decodeImage, encodePngBytes } from '../imaging';
import type { FrameProvider, Pixels } from '../runtime/types';
import type { AnswerSpec, DatasetRow, Difficulty, Task, TaskFamily, TaskTruth } from './types';

const answerSpecSchema = z.union([
  z.object({ kind: z.literal('text'), accepted: z.array(z.string()).min(1) }),
  z.object({ kind: z.literal('number'), value: z.number(), tolerance: z.number().min(0) }),
]);

const extraInfoSchema = z.object({
  family: z.enum(['visual-search', 'counting', 'video-events', 'user']),
  seed: z.number().int(),
  difficulty: z.enum(['small', 'medium', 'large']).nullable(),
  answer_spec: answerSpecSchema.nullable(),
  truth: z.record(z.string(), z.unknown()),
});

const rowSchema = z
  .object({
    id: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'id may only contain letters, digits, ".", "_" and "-"'),
    question: z.string().min(1),
    answer: z.string(),
    ability: z.string(),
    data_source: z.string(),
    image_path: z.string().min(1).optional(),
    video_path: z.string().min(1).optional(),
    extra_info: extraInfoSchema.optional(),
  })
  .refine((r) => (r.image_path === undefined) !== (r.video_path === undefined), {
    message: 'a row needs exactly one of image_path or video_path',
  });

const metaSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  frameCount: z.number().int().positive(),
  fps: z.number().positive(),
});

export type ExportedRow = DatasetRow & { extra_info?: z.infer<typeof extraInfoSchema> };

export interface ExportedDataset {
  jsonl: string;
  files: Record<string, Uint8Array>;
}

const frameName = (i: number) => `frame_${String(i).padStart(5, '0')}.png`;

/** Serialises tasks and their media (video frames are rendered/decoded one by one). */
export async function exportDataset(tasks: readonly Task[]): Promise<ExportedDataset> {
  const files: Record<string, Uint8Array> = {};
  const lines: string[] = [];
  const ids = new Set<string>();
  for (const task of tasks) {
    if (ids.has(task.id)) throw new Error(`duplicate task id '${task.id}'`);
    ids.add(task.id);
    const row: ExportedRow = {
      id: task.id,
      question: task.question,
      answer: task.answer ?? '',
      ability: task.ability,
      data_source: task.dataSource,
      extra_info: { family: task.family, seed: task.seed, difficulty: task.difficulty, answer_spec: task.answerSpec, truth: task.truth },
    };
    if (task.media.kind === 'image') {
      row.image_path = `images/${task.id}.png`;
      files[row.image_path] = encodePngBytes(task.media.image);
    } else {
      const video = task.media.video;
      const dir = `videos/${task.id}`;
      row.video_path = dir;
      files[`${dir}/meta.json`] = new TextEncoder().encode(JSON.stringify(video.meta));
      for (let i = 0; i < video.meta.frameCount; i++) files[`${dir}/${frameName(i)}`] = encodePngBytes(await video.getFrame(i));
    }
    lines.push(JSON.stringify(row));
  }
  return { jsonl: lines.length ? lines.join('\n') + '\n' : '', files };
}

/** Rebuilds tasks from exported rows and media; throws with the line number on any problem. */
export function importDataset(jsonl: string, files: Record<string, Uint8Array>): Task[] {
  const tasks: Task[] = [];
  const ids = new Set<string>();
  jsonl.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const where = `line ${i + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new Error(`${where}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((iss) => (iss.path.length ? `${iss.path.join('.')}: ${iss.message}` : iss.message));
      throw new Error(`${where}: malformed row (${issues.join('; ')})`);
    }
    const row = parsed.data;
    if (ids.has(row.id)) throw new Error(`${where}: duplicate id '${row.id}'`);
    ids.add(row.id);
    try {
      tasks.push(rowToTask(row, files));
    } catch (err) {
      throw new Error(`${where} (${row.id}): ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return tasks;
}

function rowToTask(row: z.infer<typeof rowSchema>, files: Record<string, Uint8Array>): Task {
  const extra = row.extra_info;
  const answer = row.answer === '' ? null : row.answer;
  const family: TaskFamily = extra?.family ?? 'user';
  const answerSpec: AnswerSpec | null = extra ? extra.answer_spec : answer === null ? null : defaultSpec(answer);
  const difficulty: Difficulty | null = extra?.difficulty ?? null;
  const media: Task['media'] = row.image_path
    ? { kind: 'image', image: readImage(files, row.image_path) }
    : { kind: 'video', video: readVideo(files, row.video_path!) };
  return {
    id: row.id,
    family,
    seed: extra?.seed ?? 0,
    question: row.question,
    answer,
    answerSpec,
    difficulty,
    media,
    truth: (extra?.truth ?? {}) as TaskTruth,
    ability: row.ability,
    dataSource: row.data_source,
  };
}

/** A numeric-looking answer from elsewhere is checked as a number, anything else as text. */
function defaultSpec(answer: string): AnswerSpec {
  const t = answer.trim();
  return /^[-+]?\d+(?:\.\d+)?$/.test(t) ? { kind: 'number', value: Number(t), tolerance: 0 } : { kind: 'text', accepted: [t] };
}

function need(files: Record<string, Uint8Array>, path: string): Uint8Array {
  const bytes = files[path];
  if (!bytes) throw new Error(`media file '${path}' is missing`);
  return bytes;
}

function readImage(files: Record<string, Uint8Array>, path: string): Pixels {
  try {
    const img = decodeImage(need(files, path));
    return { width: img.width, height: img.height, channels: img.channels, data: img.data };
  } catch (err) {
    throw new Error(`cannot read image '${path}': ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A frames folder as a FrameProvider: frames are decoded when asked for (RGB). */
function readVideo(files: Record<string, Uint8Array>, dir: string): FrameProvider {
  const base = dir.replace(/\/+$/, '');
  let metaRaw: unknown;
  try {
    metaRaw = JSON.parse(new TextDecoder().decode(need(files, `${base}/meta.json`)));
  } catch (err) {
    throw new Error(`video '${base}': ${err instanceof Error ? err.message : String(err)} (a video is a frames folder with meta.json; encode other formats to frames first)`);
  }
  const meta = metaSchema.safeParse(metaRaw);
  if (!meta.success) throw new Error(`video '${base}': malformed meta.json (${meta.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  const m = meta.data;
  for (let i = 0; i < m.frameCount; i++) need(files, `${base}/${frameName(i)}`);
  return {
    meta: m,
    async getFrame(index: number): Promise<Pixels> {
      if (!Number.isInteger(index) || index < 0 || index >= m.frameCount) throw new Error(`frame ${index} out of range (0..${m.frameCount - 1})`);
      const img = readImage(files, `${base}/${frameName(index)}`);
      if (img.width !== m.width || img.height !== m.height) throw new Error(`frame ${index} is ${img.width}×${img.height}, meta.json says ${m.width}×${m.height}`);
      if (img.channels === 3) return img;
      const rgb = new Uint8Array(img.width * img.height * 3);
      for (let p = 0, s = 0; p < rgb.length; p += 3, s += img.channels) {
        rgb[p] = img.data[s]!;
        rgb[p + 1] = img.data[img.channels === 1 ? s : s + 1]!;
        rgb[p + 2] = img.data[img.channels === 1 ? s : s + 2]!;
      }
      return { width: img.width, height: img.height, channels: 3, data: rgb };
    },
  };
}
