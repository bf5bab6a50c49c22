import { useMedia } from '../store/mediaStore';

const size = (bytes: number) => (bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

/**
 * Uploads kept in this browser (IndexedDB) so that they survive a reload: reopen one, or forget
 * them all. Nothing is sent anywhere; the list says so, since keeping files is not obvious.
 */
export function SavedUploads() {
  const saved = useMedia((s) => s.saved);
  const note = useMedia((s) => s.savedNote);
  const active = useMedia((s) => s.activeUploadId);
  const openSaved = useMedia((s) => s.openSaved);
  const forgetSaved = useMedia((s) => s.forgetSaved);
  if (saved.length === 0 && !note) return null;
  return (
    <div className="saved-uploads muted" data-testid="saved-uploads">
      {saved.length > 0 && (
        <p>
          Kept in this browser for reloads:{' '}
          {saved.map((e, k) => (
            <span key={e.id}>
              {k > 0 && ', '}
              <button
                type="button"
                className="link"
                data-testid="saved-upload"
                data-id={e.id}
                aria-current={e.id === active ? 'true' : undefined}
                title={`${e.kind}, ${size(e.size)}${e.question ? ` · “${e.question}”` : ''}`}
                onClick={() => void openSaved(e.id)}
              >
                {e.name}
              </button>
            </span>
          ))}{' '}
          ·{' '}
          <button type="button" className="link" data-testid="forget-uploads" onClick={() => void forgetSaved()}>
            Forget saved uploads
          </button>
        </p>
      )}
      {note && (
        <p className="notice" role="note" data-testid="saved-note">
          {note}
        </p>
      )}
    </div>
  );
}
