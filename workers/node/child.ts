/**
 * Main thread of the confined Node child process (started by nodeRuntime.ts under Node's
 * permission model). It relays protocol messages between the parent (IPC) and the Python
 * thread, and owns what must be shared memory: the interrupt buffer, the reply channel and the frame channels,
 * which a separate process cannot share.
 */
import { Worker } from 'node:worker_threads';
import { createFrameChannel, writeFrame } from '../python/frameChannel';
import { createReplyChannel, writeReply } from '../python/replyChannel';
import type { HostToWorker, WorkerToHost } from '../python/protocol';
import type { ChildControl } from './childProtocol';

const pyodideDir = process.argv[2]!;
const interruptBuffer = new SharedArrayBuffer(1);
const interruptFlag = new Int8Array(interruptBuffer);
const frameChannels = new Map<string, SharedArrayBuffer>();
const replyChannel = createReplyChannel();

const thread = new Worker(new URL('./thread.mjs', import.meta.url), { workerData: { pyodideDir } });
thread.on('message', (msg: WorkerToHost) => process.send!(msg));
thread.on('error', (err) => {
  process.stderr.write(`python thread failed: ${err.stack ?? err.message}\n`);
  process.exit(70);
});
thread.on('exit', (code) => process.exit(code === 0 ? 71 : code));

process.on('disconnect', () => process.exit(0));
process.on('message', (msg: HostToWorker | ChildControl) => {
  switch (msg.kind) {
    case 'interrupt':
      Atomics.store(interruptFlag, 0, 2);
      return;
    case 'clear-interrupt':
      Atomics.store(interruptFlag, 0, 0);
      return;
    case 'frame': {
      const channel = frameChannels.get(msg.sessionId);
      if (channel) writeFrame(channel, msg.index, msg.frame);
      return;
    }
    case 'reply':
      writeReply(replyChannel, msg.seq, msg.text);
      return;
    case 'init':
      msg.interruptBuffer = interruptBuffer;
      msg.replyChannel = replyChannel;
      break;
    case 'open':
      msg.frameChannel = msg.video ? createFrameChannel(msg.video) : null;
      if (msg.frameChannel) frameChannels.set(msg.sessionId, msg.frameChannel);
      break;
    case 'close':
      frameChannels.delete(msg.sessionId);
      break;
  }
  thread.postMessage(msg);
});
