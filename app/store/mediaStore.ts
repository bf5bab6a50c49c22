/**
 * What the playground's agent looks at: a generated task (any family, a seed, a difficulty), or
 * the user's own image or video with the user's question. Persisted: the generator settings
 * (localStorage), and uploads with their question (IndexedDB, app/persist/savedMedia.ts: the
 * newest few files); a reload reopens the upload that was shown, through the same decode path.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { Difficulty, Task, TaskMedia } from '../../src/tasks/types';
import { generateTask, GENERATED_FAMILIES, userTask, type GeneratedFamily } from '../agent/core';
import { decodeImage, ImageDecodeError } from '../image/decodeImage';
import { indexedDbStore } from '../persist/kv';
import { SavedMedia, type SavedMediaInfo } from '../persist/savedMedia';
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
  /** Uploads kept for reloads (newest first), and why the last one was not kept, if it was not. */
  saved: SavedMediaInfo[];
  savedNote: string | null;
  /** The saved upload on show (persisted: a reload reopens it); null for generated tasks. */
  activeUploadId: string | null;
  init(): void;
  /** Reopen a saved upload. */
  openSaved(id: string): Promise<void>;
  /** Forget every saved upload (what is on show stays until a reload). */
  forgetSaved(): Promise<void>;
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
const savedMedia = new SavedMedia(indexedDbStore());
let questionTimer: ReturnType<typeof setTimeout> | undefined;

export const useMedia = create<MediaState>()(
  persist(
    (set, get) => {
      const replaceMedia = (patch: Partial<MediaState>) => {
        const { image, video } = get();
        if (image && patch.image !== image) URL.revokeObjectURL(image.previewUrl);
        if (video && patch.video !== video) video.close();
        set({ image: null, video: null, activeUploadId: null, savedNote: null, ...patch, version: get().version + 1, error: null, progress: null });
      };

      const refreshSaved = async () => {
        const saved = await savedMedia.list().catch(() => []);
        set({ saved });
      };

      /** Keeps a fresh upload for reloads, in the background (a big video takes a moment). */
      const keepUpload = async (file: Blob, name: string, kind: 'image' | 'video', version: number) => {
        const r = await savedMedia.save(file, { name, kind, question: get().question }).catch((err: unknown) => ({ skipped: String(err) }));
        const current = get().version === version;
        if ('skipped' in r) {
          if (current) set({ savedNote: `Not kept for reloads: ${r.skipped}.` });
        } else if (current) {
          set({ activeUploadId: r.saved.id });
          // A question typed while the file was being written.
          if (get().question !== r.saved.question) await savedMedia.setQuestion(r.saved.id, get().question);
        }
        await refreshSaved();
      };

      /**
       * Opens an uploaded or saved file; null on success, else the message shown. `restoring` is
       * the saved entry being reopened (its question comes back with it).
       */
      const openFile = async (file: Blob, name: string, restoring: SavedMediaInfo | null): Promise<string | null> => {
        const id = ++request;
        set({ error: null, progress: { fraction: 0.05, detail: `${restoring ? 'Restoring' : 'Opening'} "${name}"…` } });
        const questionFor = () => (restoring ? restoring.question : get().source === 'generated' ? '' : get().question);
        try {
          let kind: 'image' | 'video';
          if (isVideoFile(file, name)) {
            kind = 'video';
            const video = await openVideo(file, name, {
              onProgress: (fraction, detail) => id === request && set({ progress: { fraction, detail } }),
            });
            if (id !== request) {
              video.close();
              return null;
            }
            replaceMedia({ source: 'video', video, task: null, media: { kind: 'video', video }, question: questionFor() });
          } else {
            kind = 'image';
            const decoded = await decodeImage(file, name);
            if (id !== request) return null;
            const image: UploadedImage = {
              name,
              previewUrl: URL.createObjectURL(file),
              originalWidth: decoded.originalWidth,
              originalHeight: decoded.originalHeight,
              downscaled: decoded.downscaled,
            };
            replaceMedia({ source: 'image', image, task: null, media: { kind: 'image', image: decoded.pixels }, question: questionFor() });
          }
          if (restoring) {
            set({ activeUploadId: restoring.id });
            void savedMedia.touch(restoring.id).then(refreshSaved, () => {});
          } else void keepUpload(file, name, kind, get().version);
          return null;
        } catch (err) {
          if (id !== request) return null;
          // The current media, question and runs are kept.
          const message =
            err instanceof ImageDecodeError || err instanceof VideoDecodeError
              ? err.message
              : `Could not open "${name}": ${err instanceof Error ? err.message : String(err)}`;
          const shown = restoring ? `Could not reopen "${name}" (saved earlier): ${message}` : message;
          set({ error: shown, progress: null });
          return shown;
        }
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
        saved: [],
        savedNote: null,
        activeUploadId: null,

        init() {
          if (get().initialised) return;
          set({ initialised: true });
          // The upload on show before the reload comes back; otherwise the generator settings.
          void (async () => {
            const active = get().activeUploadId;
            await refreshSaved();
            let failure: string | null = null;
            if (active) {
              const entry = await savedMedia.load(active).catch(() => null);
              if (entry) {
                failure = await openFile(new File([entry.blob], entry.info.name, { type: entry.info.type }), entry.info.name, entry.info);
                if (!failure) return;
              }
            }
            await get().generate();
            if (failure) set({ error: failure });
          })();
        },

        async openSaved(id) {
          const entry = await savedMedia.load(id).catch(() => null);
          if (!entry) {
            await refreshSaved();
            set({ error: 'That saved upload is gone (cleared, or the browser dropped it).' });
            return;
          }
          await openFile(new File([entry.blob], entry.info.name, { type: entry.info.type }), entry.info.name, entry.info);
        },

        async forgetSaved() {
          await savedMedia.clear().catch(() => {});
          set({ activeUploadId: null, savedNote: null });
          await refreshSaved();
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
          await openFile(file, file.name, null);
        },

        setQuestion(question) {
          set({ question });
          // The question of a saved upload is saved with it (debounced: typing is many edits).
          const id = get().activeUploadId;
          if (!id || get().source === 'generated') return;
          clearTimeout(questionTimer);
          questionTimer = setTimeout(() => void savedMedia.setQuestion(id, question).catch(() => {}), 300);
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
      partialize: (s) => ({ gen: s.gen, activeUploadId: s.activeUploadId }),
    },
  ),
);

// Tests and bench/videoDecode.ts reach the decoders through a window hook that exists only with
// `?debug=video` in the URL; the module is fetched on demand, so normal pages never load it.
if (typeof location !== 'undefined' && new URLSearchParams(location.search).getAll('debug').includes('video')) {
  void import('../video/videoDebug').then((m) => m.installVideoDebug(() => useMedia.getState().video));
}
