/// <reference lib="webworker" />
/**
 * One worker script for both trainers: SFT (Model view, workers/sft/) and GRPO (Train (RL),
 * workers/rl/). The page names the worker 'sft' or 'rl' (`new Worker(url, { name })`) and
 * this entry starts that side. One script, not two, because each worker bundle carries its own
 * TF.js (≈1 MB) and its own copies of the WASM/WebGPU backend chunks: two training workers
 * shipped every one of them twice more than needed.
 */
import { startRlWorker } from '../rl/entry';
import { startSftWorker } from '../sft/entry';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = (scope.name === 'rl' ? startRlWorker(scope) : startSftWorker(scope)) as (msg: unknown) => void;
scope.onmessage = (e: MessageEvent<unknown>) => handle(e.data);
