import { useState } from 'react';
import { MEDIA_SAMPLES, sampleUrl, type Sample } from '../samples';
import { useMedia } from '../store/mediaStore';

/**
 * Real sample photos and a clip, one click each: the file is loaded like an upload (same decode
 * path, kept across reloads) and its suggested question is filled in, ready to run.
 */
export function SampleGallery() {
  const loadFile = useMedia((s) => s.loadFile);
  const setQuestion = useMedia((s) => s.setQuestion);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const pick = async (s: Sample) => {
    setBusy(s.file);
    setError(null);
    try {
      const res = await fetch(sampleUrl(s.file));
      if (!res.ok) throw new Error(`the server answered HTTP ${res.status}`);
      const blob = await res.blob();
      await loadFile(new File([blob], s.file, { type: blob.type || (s.kind === 'video' ? 'video/mp4' : 'image/jpeg') }));
      setQuestion(s.question);
    } catch (err) {
      setError(`Could not load the sample ${s.file}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="sample-gallery" role="group" aria-label="Try a sample photo or video">
      <p className="muted">Try a sample:</p>
      <ul>
        {MEDIA_SAMPLES.map((s) => (
          <li key={s.file}>
            <button type="button" onClick={() => void pick(s)} disabled={busy !== null} data-testid="sample-media" data-file={s.file} title={`${s.label} — “${s.question}”`} aria-label={`${s.label}: ${s.question}`}>
              <img src={sampleUrl(`thumbs/${s.file.replace(/\.\w+$/, '.jpg')}`)} alt="" width={80} height={48} loading="lazy" />
              <span>{s.kind === 'video' ? '▶ ' : ''}{s.question}</span>
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert" data-testid="sample-error">
          {error}
        </p>
      )}
    </div>
  );
}
