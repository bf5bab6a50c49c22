import { describe, expect, it } from 'vitest';
import { memoryStore, type KeyValueStore } from './kv';
import { SAVED_MEDIA_INDEX_KEY, SavedMedia } from './savedMedia';

const file = (bytes: number, type = 'video/mp4') => new Blob([new Uint8Array(bytes)], { type });

function clock() {
  let t = 1000;
  return () => ++t;
}

describe('SavedMedia', () => {
  it('keeps uploads newest first with their question, and gives the file back', async () => {
    const saved = new SavedMedia(memoryStore(), {}, clock());
    const a = await saved.save(file(10), { name: 'a.mp4', kind: 'video', question: 'What moves?' });
    const b = await saved.save(file(20, 'image/png'), { name: 'b.png', kind: 'image' });
    expect('saved' in a && 'saved' in b).toBe(true);
    const list = await saved.list();
    expect(list.map((e) => [e.name, e.kind, e.type, e.size, e.question])).toEqual([
      ['b.png', 'image', 'image/png', 20, ''],
      ['a.mp4', 'video', 'video/mp4', 10, 'What moves?'],
    ]);
    const back = await saved.load(list[1]!.id);
    expect(back!.info.name).toBe('a.mp4');
    expect(back!.blob.size).toBe(10);
    expect(back!.blob.type).toBe('video/mp4');
  });

  it('keeps only the newest files within the count and total-size caps', async () => {
    const saved = new SavedMedia(memoryStore(), { maxFiles: 3, maxTotalBytes: 100 }, clock());
    for (const name of ['1', '2', '3', '4']) await saved.save(file(10), { name: `${name}.mp4`, kind: 'video' });
    expect((await saved.list()).map((e) => e.name)).toEqual(['4.mp4', '3.mp4', '2.mp4']);
    const r = await saved.save(file(85), { name: 'big.mp4', kind: 'video' });
    expect('saved' in r && r.dropped.length).toBe(2); // 85 + 10 fits, + 10 more does not
    expect((await saved.list()).map((e) => e.name)).toEqual(['big.mp4', '4.mp4']);
  });

  it('skips a file over the per-file cap and says why', async () => {
    const saved = new SavedMedia(memoryStore(), { maxFileBytes: 50 }, clock());
    const r = await saved.save(file(51), { name: 'huge.mp4', kind: 'video' });
    expect('skipped' in r && r.skipped).toMatch(/huge\.mp4.*not kept/);
    expect(await saved.list()).toEqual([]);
  });

  it('the same file uploaded again replaces its entry; touch moves an entry to the front', async () => {
    const saved = new SavedMedia(memoryStore(), {}, clock());
    await saved.save(file(10), { name: 'a.mp4', kind: 'video', question: 'old' });
    await saved.save(file(12), { name: 'b.mp4', kind: 'video' });
    await saved.save(file(10), { name: 'a.mp4', kind: 'video', question: 'new' });
    let list = await saved.list();
    expect(list.map((e) => [e.name, e.question])).toEqual([
      ['a.mp4', 'new'],
      ['b.mp4', ''],
    ]);
    await saved.touch(list[1]!.id);
    list = await saved.list();
    expect(list.map((e) => e.name)).toEqual(['b.mp4', 'a.mp4']);
  });

  it('updates the question, removes one entry, clears all', async () => {
    const kv = memoryStore();
    const saved = new SavedMedia(kv, {}, clock());
    await saved.save(file(1), { name: 'a.mp4', kind: 'video' });
    await saved.save(file(2), { name: 'b.mp4', kind: 'video' });
    const [b, a] = await saved.list();
    await saved.setQuestion(a!.id, 'How many cars?');
    expect((await saved.list())[1]!.question).toBe('How many cars?');
    await saved.remove(b!.id);
    expect((await saved.list()).map((e) => e.name)).toEqual(['a.mp4']);
    expect(await saved.load(b!.id)).toBeNull();
    await saved.clear();
    expect(await saved.list()).toEqual([]);
    expect(await kv.get(`media.saved.v1.${a!.id}`)).toBeUndefined();
  });

  it('a storage failure skips the save and leaves the index intact; a lost file repairs the index', async () => {
    const kv = memoryStore();
    const failing: KeyValueStore = {
      ...kv,
      set: async (key, value) => {
        if (value instanceof Blob && value.size > 5) throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
        return kv.set(key, value);
      },
    };
    const saved = new SavedMedia(failing, {}, clock());
    await saved.save(file(3), { name: 'ok.mp4', kind: 'video' });
    const r = await saved.save(file(9), { name: 'big.mp4', kind: 'video' });
    expect('skipped' in r && r.skipped).toMatch(/QuotaExceededError/);
    const [ok] = await saved.list();
    expect(ok!.name).toBe('ok.mp4');
    await kv.del(`media.saved.v1.${ok!.id}`);
    expect(await saved.load(ok!.id)).toBeNull();
    expect(await kv.get(SAVED_MEDIA_INDEX_KEY)).toEqual([]);
  });
});
