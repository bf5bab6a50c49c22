import { useEffect, useRef } from 'react';
import type { VideoMeta } from '../../src/runtime/types';
import { useMedia } from '../store/mediaStore';
import type { BrowserVideo } from '../video/browserVideo';
import { PixelsCanvas } from './PixelsCanvas';

function VideoElement({ video }: { video: BrowserVideo }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = video.element;
    el.className = 'media-video';
    el.setAttribute('aria-label', `Video ${video.name} (shows the last frame read)`);
    host.current?.appendChild(el);
    return () => el.remove();
  }, [video]);
  return <div ref={host} className="media-video-host" data-testid="video-element" />;
}

const FPS_NOTE: Record<BrowserVideo['fpsSource'], string> = {
  container: ' (from the file)',
  measured: ' (measured)',
  assumed: ' (assumed: the rate could not be measured)',
};

export function VideoMetaLine({ meta, video }: { meta: VideoMeta; video?: BrowserVideo | null }) {
  return (
    <p
      className="media-info"
      data-testid="video-meta"
      data-width={meta.width}
      data-height={meta.height}
      data-frames={meta.frameCount}
      data-fps={meta.fps}
      data-decoder={video?.decoder}
      data-fps-source={video?.fpsSource}
      data-duration={video?.duration}
    >
      {meta.width}×{meta.height} · <span data-testid="video-frame-count">{meta.frameCount}</span> frames ·{' '}
      <span data-testid="video-fps">{Number(meta.fps.toFixed(3))}</span> fps
      {video ? FPS_NOTE[video.fpsSource] : ''}
      {' · '}
      {(meta.frameCount / meta.fps).toFixed(2)} s
      {video && (
        <span className="muted" data-testid="video-decoder" title={video.fallbackReason ?? undefined}>
          {' · '}
          {video.decoder === 'webcodecs' ? `decoded with WebCodecs${video.codec ? ` (${video.codec})` : ''}` : 'decoded by seeking (slower)'}
        </span>
      )}
    </p>
  );
}

/** The current media: the generated image, the uploaded image, or the video and its metadata. */
export function MediaPreview() {
  const source = useMedia((s) => s.source);
  const task = useMedia((s) => s.task);
  const media = useMedia((s) => s.media);
  const image = useMedia((s) => s.image);
  const video = useMedia((s) => s.video);
  if (!media) return <p className="muted">No media yet.</p>;
  const taskId = source === 'generated' && task ? task.id : '';
  return (
    <div className="media-preview" data-testid="media-info" data-source={source} data-task-id={taskId} data-kind={media.kind}>
      <p className="media-title">
        <strong data-testid="media-name">{taskId || (image?.name ?? video?.name)}</strong>
        {taskId && task?.difficulty && <span className="badge"> {task.difficulty}</span>}
      </p>
      {media.kind === 'image' &&
        (source === 'image' && image ? (
          <img className="media-canvas" src={image.previewUrl} alt={`Uploaded image ${image.name}`} />
        ) : (
          <PixelsCanvas pixels={media.image} label={`Generated image for ${taskId}`} testId="media-canvas" />
        ))}
      {media.kind === 'image' && (
        <p className="media-info">
          {media.image.width}×{media.image.height} RGB · bound as <code>image_clue_0</code>
        </p>
      )}
      {media.kind === 'video' && (
        <>
          {video && <VideoElement video={video} />}
          <VideoMetaLine meta={media.video.meta} video={video} />
          <p className="muted">
            Bound as <code>video_clue_0</code>; the model sees only this metadata and fetches the frames it wants.
          </p>
        </>
      )}
    </div>
  );
}
