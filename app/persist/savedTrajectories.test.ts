import { describe, expect, it } from 'vitest';
import { memoryStore } from './kv';
import { SavedTrajectories } from './savedTrajectories';

describe('SavedTrajectories', () => {
  it('keeps the newest records within the count and size caps', async () => {
    const saved = new SavedTrajectories(memoryStore(), 3, 100);
    await saved.save('a', 'x'.repeat(10));
    await saved.save('b', 'x'.repeat(10));
    await saved.save('c', 'x'.repeat(10));
    expect(await saved.save('d', 'x'.repeat(10))).toEqual(['a']);
    expect((await saved.index()).map((e) => e.id)).toEqual(['b', 'c', 'd']);
    expect(await saved.load('a')).toBeUndefined();
    expect(await saved.save('e', 'x'.repeat(85))).toEqual(['b', 'c']);
    expect((await saved.index()).map((e) => e.id)).toEqual(['d', 'e']);
  });

  it('replaces a record with the same id, and removes one', async () => {
    const saved = new SavedTrajectories(memoryStore());
    await saved.save('a', '1', [3, 4]);
    await saved.save('a', '22');
    expect(await saved.load('a')).toBe('22');
    expect((await saved.index()).length).toBe(1);
    await saved.remove('a');
    expect(await saved.index()).toEqual([]);
  });

  it('skips a record larger than the whole budget', async () => {
    const saved = new SavedTrajectories(memoryStore(), 3, 5);
    expect(await saved.save('big', 'x'.repeat(6))).toEqual([]);
    expect(await saved.index()).toEqual([]);
  });
});
