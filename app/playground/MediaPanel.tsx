import { useRef } from 'react';
import { useFileDrop } from '../components/useFileDrop';
import { ACCEPT_ATTRIBUTE, MAX_IMAGE_SIDE } from '../image/decodeImage';
import { ACCEPT_VIDEO_ATTRIBUTE } from '../video/browserVideo';
import { useMedia } from '../store/mediaStore';
import { GeneratorForm } from './GeneratorForm';
import { MediaPreview } from './MediaPreview';
import { Progress } from './Progress';
import { SampleGallery } from './SampleGallery';
import { SavedUploads } from './SavedUploads';

/** Choose what the agent looks at: a generated task, or an uploaded/dropped image or video. */
export function MediaPanel() {
  const loadFile = useMedia((s) => s.loadFile);
  const progress = useMedia((s) => s.progress);
  const error = useMedia((s) => s.error);
  const image = useMedia((s) => s.image);
  const input = useRef<HTMLInputElement>(null);
  const { dragging, handlers: dropHandlers } = useFileDrop((file) => void loadFile(file));

  return (
    <section className="panel media-panel" aria-labelledby="media-heading">
      <h2 id="media-heading">Media</h2>
      <GeneratorForm />
      <div
        className={`dropzone small${dragging ? ' dragging' : ''}`}
        data-testid="media-dropzone"
        {...dropHandlers}
      >
        <button type="button" onClick={() => input.current?.click()} data-testid="media-upload-button">
          Upload image or video…
        </button>
        <span className="muted"> or drop a PNG, JPEG, WebP, MP4, MOV, WebM or MKV file here</span>
        <input
          ref={input}
          className="visually-hidden"
          type="file"
          accept={`${ACCEPT_ATTRIBUTE},${ACCEPT_VIDEO_ATTRIBUTE}`}
          data-testid="media-input"
          aria-label="Upload an image or a video"
          tabIndex={-1}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void loadFile(file);
            e.target.value = '';
          }}
        />
      </div>
      <SampleGallery />
      <SavedUploads />
      {progress && <Progress value={progress.fraction} label={progress.detail} testId="media-progress" />}
      {error && (
        <p className="error" data-testid="media-error" role="alert">
          {error}
        </p>
      )}
      {image?.downscaled && (
        <p className="notice" data-testid="media-notice" role="note">
          The image is {image.originalWidth}×{image.originalHeight}; it was downscaled to fit {MAX_IMAGE_SIDE} px.
        </p>
      )}
      <MediaPreview />
    </section>
  );
}
