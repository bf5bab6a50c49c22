/**
 * Downloads weights as the standard TF.js file set: model.json + weights.bin, plus
 * tokenizer.json (also inside the metadata; the separate file mirrors what train:sft writes).
 * No zip library is a dependency, so these are three downloads.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TokenizerJson } from '../../src/model/tokenizer';
import { modelJsonText, SHARD_NAME, weightBytes } from './weightFiles';

function download(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function downloadWeights(artifacts: tf.io.ModelArtifacts, tokenizer: TokenizerJson): void {
  download('model.json', new Blob([modelJsonText(artifacts)], { type: 'application/json' }));
  download(SHARD_NAME, new Blob([weightBytes(artifacts)], { type: 'application/octet-stream' }));
  download('tokenizer.json', new Blob([JSON.stringify(tokenizer)], { type: 'application/json' }));
}
