/**
 * Messages only the Node parent sends to its confined child, beside the worker protocol
 * (../python/protocol.ts): what a browser host does by writing shared memory directly.
 */
import type { Pixels } from '../../src/runtime/types';

export type ChildControl =
  | { kind: 'interrupt' }
  | { kind: 'clear-interrupt' }
  | { kind: 'frame'; sessionId: string; index: number; frame: Pixels | { error: string } }
  | { kind: 'reply'; seq: number; text: string };
