/**
 * Downloads weights as the standard TF.js file set: model.json + weights.bin, plus
 * tokenizer.json (also inside the metadata; the separate file mirrors what train:sft writes).
 * No zip library is a dependency, so these are three downloads.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TokenizerJson } from '../../src/model/tokenizer';
import { downloadBlob as download } from '../agent/download';
import { modelJsonText, SHARD_NAME, weightBytes } from './weightFiles';

export function downloadWeights(artifacts: tf.io.ModelArtifacts, tokenizer: TokenizerJson): void {
  download('model.json', new Blob([modelJsonText(artifacts)], { type: 'application/json' }));
  download(SHARD_NAME, new Blob([weightBytes(artifacts)], { type: 'application/octet-stream' }));
  download('tokenizer.json', new Blob([JSON.stringify(tokenizer)], { type: 'application/json' }));
}
