/**
 * Reading a trajectory file: our record JSON, or OpenAI chat messages (PyVision's format).
 * Throws an Error with a message for the UI when the file is neither; builds nothing then.
 */
import { fromOpenAIMessages, fromRecordJson, RECORD_FORMAT } from '../../src/agent/exportFormats';
import type { Trajectory } from '../../src/agent/types';
import { newId } from '../../src/agent/util';

export function parseTrajectoryFile(text: string, fileName: string): { trajectory: Trajectory; format: 'record' | 'openai' } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`Could not import "${fileName}": it is not JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  const isObject = json !== null && typeof json === 'object';
  const isRecord = isObject && !Array.isArray(json) && (json as { format?: unknown }).format === RECORD_FORMAT;
  const isMessages = Array.isArray(json) || (isObject && 'messages' in (json as object) && !('format' in (json as object)));
  try {
    if (isMessages && !isRecord) return { trajectory: fromOpenAIMessages(json, { id: `imported-${newId()}` }), format: 'openai' };
    return { trajectory: fromRecordJson(text), format: 'record' };
  } catch (err) {
    throw new Error(`Could not import "${fileName}": ${err instanceof Error ? err.message : String(err)}`);
  }
}
