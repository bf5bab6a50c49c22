/**
 * What the playground's agent looks at: a generated task (any family, a seed, a difficulty), or
 * the user's own image or video with the user's question. Persisted: the generator settings,
 * the question and which kind of source was chosen; uploads are not kept across reloads.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { Difficulty, Task, TaskMedia } from '../../src/tasks/types';
import { generateTask, GENERATED_FAMILIES, userTask, type GeneratedFamily } from '../agent/core';
import { decodeImage, ImageDecodeError } from '../image/decodeImage';
import { openVideo } from '../video/openVideo';
import { isVideoFile, VideoDecodeError, type BrowserVideo } from '../video/videoCommon';

export const MEDIA_KEY = 'pyvision.media.v1';

export interface GeneratorSettings {
  family: GeneratedFamily;
  seed: number;
  /** 'any' lets the generator pick from its mix. */
  difficulty: Difficulty | 'any';
}

export interface UploadedImage {
  name: string;
  previewUrl: string;
  originalWidth: number;
  originalHeight: number;
  downscaled: boolean;
}

export type MediaSource = 'generated' | 'image' | 'video';

export interface MediaState {
  gen: GeneratorSettings;
  source: MediaSource;
  question: string;
  /** The generated task (null for uploads). */
  task: Task | null;
  /** What the agent looks at: the generated task's media or the upload. */
  media: TaskMedia | null;
  image: UploadedImage | null;
  video: BrowserVideo | null;
  /** Bumped on every media change: runs started on older media are not continued. */
  version: number;
  progress: { fraction: number; detail: string } | null;
  error: string | null;
  initialised: boolean;
  init(): void;
  setGen(patch: Partial<GeneratorSettings>): void;
  generate(): Promise<void>;
  loadFile(file: File): Promise<void>;
  setQuestion(q: string): void;
  /**
   * The task a new run uses: the generated one, or a user task (no known answer) when the media
   * is an upload or the question is the user's own. Null without media or question.
   */
  runTask(): Task | null;
}

let request = 0;
let cached: { media: TaskMedia; question: string; task: Task } | null = null;

export const useMedia = create<MediaState>()(
  persist(
    (set, get) => {
      const replaceMedia = (patch: Partial<MediaState>) => {
        const { image, video } = get();
        if (image && patch.image !== image) URL.revokeObjectURL(image.previewUrl);
        if (video && patch.video !== video) video.close();
        set({ image: null, video: null, ...patch, version: get().version + 1, error: null, progress: null });
      };

      return {
        gen: { family: 'visual-search', seed: 1, difficulty: 'any' },
        source: 'generated',
        question: '',
        task: null,
        media: null,
        image: null,
        video: null,
        version: 0,
        progress: null,
        error: null,
        initialised: false,

        init() {
          if (get().initialised) return;
          set({ initialised: true });
          // Uploads are not kept: a reload starts from the generator settings.
          void get().generate();
        },

        setGen(patch) {
          const gen = { ...get().gen, ...patch };
          if (!GENERATED_FAMILIES.some((f) => f.family === gen.family)) gen.family = 'visual-search';
          if (!Number.isInteger(gen.seed) || gen.seed < 0) gen.seed = 0;
          set({ gen });
        },

        async generate() {
          const id = ++request;
          set({ progress: { fraction: 0.3, detail: 'Generating the task…' }, error: null });
          await new Promise((r) => setTimeout(r, 0)); // paint the progress first
          try {
            const { family, seed, difficulty } = get().gen;
            const task = generateTask(family, seed, difficulty === 'any' ? undefined : difficulty);
            if (id !== request) return;
            replaceMedia({ source: 'generated', task, media: task.media, question: task.question });
          } catch (err) {
            if (id !== request) return;
            set({ progress: null, error: `Could not generate the task: ${err instanceof Error ? err.message : String(err)}` });
          }
        },

        async loadFile(file) {
          const id = ++request;
          const name = file.name;
          set({ error: null, progress: { fraction: 0.05, detail: `Opening "${name}"…` } });
          try {
            if (isVideoFile(file, name)) {
              const video = await openVideo(file, name, {
                onProgress: (fraction, detail) => id === request && set({ progress: { fraction, detail } }),
              });
              if (id !== request) return video.close();
              const question = get().source === 'generated' ? '' : get().question;
              replaceMedia({ source: 'video', video, task: null, media: { kind: 'video', video }, question });
            } else {
              const decoded = await decodeImage(file, name);
              if (id !== request) return;
              const image: UploadedImage = {
                name,
                previewUrl: URL.createObjectURL(file),
                originalWidth: decoded.originalWidth,
                originalHeight: decoded.originalHeight,
                downscaled: decoded.downscaled,
              };
              const question = get().source === 'generated' ? '' : get().question;
              replaceMedia({ source: 'image', image, task: null, media: { kind: 'image', image: decoded.pixels }, question });
            }
          } catch (err) {
            if (id !== request) return;
            // The current media, question and runs are kept.
            const message =
              err instanceof ImageDecodeError || err instanceof VideoDecodeError
                ? err.message
                : `Could not open "${name}": ${err instanceof Error ? err.message : String(err)}`;
            set({ error: message, progress: null });
          }
        },

        setQuestion(question) {
          set({ question });
        },

        runTask() {
          const { task, media, question, source } = get();
          if (!media || !question.trim()) return null;
          if (source === 'generated' && task && question === task.question) return task;
          if (cached && cached.media === media && cached.question === question) return cached.task;
          const name = source === 'image' ? get().image?.name : source === 'video' ? get().video?.name : task?.id;
          const t = userTask(media, question, name ?? 'media');
          cached = { media, question, task: t };
          return t;
        },
      };
    },
    {
      name: MEDIA_KEY,
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ gen: s.gen }),
    },
  ),
);

// Tests and bench/videoDecode.ts reach the decoders through a window hook that exists only with
// `?debug=video` in the URL; the module is fetched on demand, so normal pages never load it.
if (typeof location !== 'undefined' && new URLSearchParams(location.search).getAll('debug').includes('video')) {
  void import('../video/videoDebug').then((m) => m.installVideoDebug(() => useMedia.getState().video));
}
