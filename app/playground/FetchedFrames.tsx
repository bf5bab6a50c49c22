import { useAgent } from '../store/agentStore';

/** Which frames the selected trajectory's Python fetched (only those were decoded). */
export function FetchedFrames({ id }: { id: string }) {
  const frames = useAgent((s) => s.frames[id]);
  if (!frames) return null;
  return (
    <p className="fetched-frames" data-testid="fetched-frames" data-frames={JSON.stringify(frames)}>
      Frames fetched by Python ({frames.length}): {frames.length ? frames.join(', ') : 'none yet'}
    </p>
  );
}

