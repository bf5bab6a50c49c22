/**
 * Weights as files, in the standard TF.js layout: model.json (manifest + our metadata) and one
 * binary shard, weights.bin, plus tokenizer.json. Parsing never touches the current model: it
 * only builds `tf.io.ModelArtifacts`, which `validateArtifacts` then checks completely.
 */
import * as tf from '@tensorflow/tfjs';
import { SHARD_NAME, WeightsError, artifactsFromModelJson, parseJson, parseModelJson, type WeightsMetadata } from '../../src/model/weights';
import type { TokenizerJson } from '../../src/model/tokenizer';

// The file-level format lives with the weights code (Node's nodeFileHandler writes the same files).
export { SHARD_NAME, weightBytes, modelJsonText, parseModelJson, artifactsFromModelJson } from '../../src/model/weights';

export interface ParsedUpload {
  artifacts: tf.io.ModelArtifacts;
  /** From a tokenizer.json among the files (the metadata's own tokenizer is preferred). */
  tokenizer: TokenizerJson | null;
  label: string;
}

/**
 * The user's files: one model.json (the JSON with a weightsManifest), its shard(s) by name, and
 * optionally tokenizer.json. Any other mix is a clear error.
 */
export async function artifactsFromFiles(files: File[]): Promise<ParsedUpload> {
  if (!files.length) throw new WeightsError('no files were chosen');
  let model: { json: tf.io.ModelJSON; name: string } | null = null;
  let tokenizer: TokenizerJson | null = null;
  const shards = new Map<string, ArrayBuffer>();
  for (const f of files) {
    if (f.name.toLowerCase().endsWith('.json')) {
      const value = parseJson(await f.text(), f.name) as Record<string, unknown> | null;
      if (value && typeof value === 'object' && 'weightsManifest' in value) {
        if (model) throw new WeightsError(`two model.json files were given (${model.name}, ${f.name})`);
        model = { json: parseModelJson(JSON.stringify(value), f.name), name: f.name };
      } else if (value && typeof value === 'object' && value.type === 'byte-bpe') {
        tokenizer = value as unknown as TokenizerJson;
      } else {
        throw new WeightsError(`${f.name} is neither a TF.js model.json (no weightsManifest) nor a tokenizer.json`);
      }
    } else {
      shards.set(f.name, await f.arrayBuffer());
    }
  }
  if (!model) throw new WeightsError('model.json is missing: choose model.json together with weights.bin');
  const artifacts = await artifactsFromModelJson(model.json, (p) => shards.get(p) ?? shards.get(p.split('/').pop() ?? p));
  return { artifacts, tokenizer, label: files.map((f) => f.name).join(' + ') };
}

/** What the UI shows about a set of weights. */
export interface WeightsInfo {
  name: string;
  contentHash: string;
  /** 'shipped' | 'saved' | 'upload' | 'trained'. */
  source: WeightsSource;
  params: number;
  bytes: number;
  preset: string;
  /** Training summary from the card or the metadata (steps, final loss), when known. */
  training: string | null;
}

export type WeightsSource = 'shipped' | 'saved' | 'upload' | 'trained';

function describeTraining(card: Record<string, unknown> | null): string | null {
  if (!card) return null;
  const t = (card.training ?? card) as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof t.steps === 'number') parts.push(`${t.steps} SFT steps`);
  if (typeof t.finalLoss === 'number' && Number.isFinite(t.finalLoss)) parts.push(`final loss ${t.finalLoss.toFixed(3)}`);
  const data = (card.data ?? t.data) as Record<string, unknown> | undefined;
  if (data && typeof data.records === 'number') parts.push(`${data.records} trajectories`);
  else if (data && typeof data.tasks === 'number') parts.push(`${data.tasks} tasks`);
  return parts.length ? parts.join(' · ') : null;
}

export function infoOf(meta: WeightsMetadata, source: WeightsSource, bytes: number, card: Record<string, unknown> | null = null): WeightsInfo {
  const c = meta.modelConfig;
  const preset = c.dModel === 128 && c.nLayers === 4 ? 'default' : c.dModel === 32 && c.nLayers === 2 ? 'small' : `d${c.dModel}×${c.nLayers}`;
  const fromMeta = (meta.extra?.card ?? null) as Record<string, unknown> | null;
  return {
    name: meta.name ?? (typeof card?.name === 'string' ? card.name : 'unnamed weights'),
    contentHash: meta.contentHash,
    source,
    params: bytes / 4,
    bytes,
    preset,
    training: describeTraining(card) ?? describeTraining(fromMeta),
  };
}
