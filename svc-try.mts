import fs from 'node:fs';
import { createNodePerception } from './workers/perception/nodeService';
import { decodeImage } from './src/imaging/codec';
const svc = await createNodePerception();
svc.onStatus((s) => console.log('status', JSON.stringify(s)));
for (const f of process.argv.slice(2)) {
  const im = decodeImage(new Uint8Array(fs.readFileSync(f)), 1e9);
  const px = { width: im.width, height: im.height, channels: im.channels, data: im.data } as any;
  let t = performance.now();
  const d = await svc.detect({ ...px, data: px.data.slice() }, { tiles: false });
  console.log('detect', Math.round(performance.now() - t), JSON.stringify(d));
  t = performance.now();
  const o = await svc.readText(px);
  console.log('ocr', Math.round(performance.now() - t), JSON.stringify(o.text), o.lines.map((l) => l.confidence));
}
await svc.dispose();
