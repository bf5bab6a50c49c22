import { useRef } from 'react';
import { useFileDrop } from './useFileDrop';
import { ACCEPT_ATTRIBUTE, MAX_IMAGE_SIDE } from '../image/decodeImage';
import { SAMPLES } from '../samples';
import { usePlayground } from '../store/playgroundStore';

/** Input image: upload (button or drag-and-drop) or pick a sample; bound as image_clue_0. */
export function ImagePanel() {
  const image = usePlayground((s) => s.image);
  const loading = usePlayground((s) => s.imageLoading);
  const error = usePlayground((s) => s.imageError);
  const loadFile = usePlayground((s) => s.loadFile);
  const loadSample = usePlayground((s) => s.loadSample);
  const input = useRef<HTMLInputElement>(null);
  const { dragging, handlers: dropHandlers } = useFileDrop((file) => void loadFile(file));

  const chosenSample = usePlayground((s) => s.sample);
  // While the first image decodes, show the sample being loaded rather than "(choose)".
  const selected = image ? (image.source === 'sample' ? image.name : '') : chosenSample;

  return (
    <section className="panel image-panel" aria-labelledby="image-heading">
      <h2 id="image-heading">
        Input image <code>image_clue_0</code>
      </h2>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        data-testid="dropzone"
        {...dropHandlers}
      >
        {image ? (
          <img className="preview" src={image.previewUrl} alt={`Input image: ${image.name}`} data-testid="image-preview" />
        ) : (
          <p className="muted">{loading ? 'Decoding…' : 'Drop a PNG, JPEG or WebP image here'}</p>
        )}
      </div>
      <div className="image-controls">
        <button type="button" onClick={() => input.current?.click()} data-testid="upload-button">
          Upload image…
        </button>
        <input
          ref={input}
          className="visually-hidden"
          type="file"
          accept={ACCEPT_ATTRIBUTE}
          data-testid="image-input"
          aria-label="Upload an image"
          tabIndex={-1}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void loadFile(file);
            e.target.value = ''; // choosing the same file again still fires change
          }}
        />
        <label className="sample-picker">
          Sample
          <select
            data-testid="sample-select"
            value={selected}
            onChange={(e) => {
              if (e.target.value) void loadSample(e.target.value);
            }}
          >
            {selected === '' && <option value="">{image ? '(uploaded image)' : '(choose)'}</option>}
            {SAMPLES.map((s) => (
              <option key={s.file} value={s.file}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {loading && (
        <p className="muted" data-testid="image-loading">
          Decoding image…
        </p>
      )}
      {image && (
        <p className="image-info" data-testid="image-info">
          <span data-testid="image-name">{image.name}</span> · {image.pixels.width}×{image.pixels.height} RGB
          {image.source === 'upload' && <span className="muted"> · uploads are not kept across reloads</span>}
        </p>
      )}
      {image?.downscaled && (
        <p className="notice" data-testid="image-notice" role="note">
          The image is {image.originalWidth}×{image.originalHeight}; it was downscaled to {image.pixels.width}×
          {image.pixels.height} (largest side {MAX_IMAGE_SIDE} px).
        </p>
      )}
      {error && (
        <p className="error" data-testid="image-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
