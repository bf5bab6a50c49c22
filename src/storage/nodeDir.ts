/**
 * Lazily loaded Node file-system modules, and a folder used as a key → bytes store (what the SFT
 * data cache and the RL run folders write). Node built-ins are imported by a computed name so the
 * browser bundle never tries to resolve them; nothing here runs unless a Node caller asks.
 */
export async function nodeFs(): Promise<{ fs: typeof import('node:fs/promises'); path: typeof import('node:path') }> {
  const fsName = 'node:fs/promises';
  const pathName = 'node:path';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
  const path = (await import(/* @vite-ignore */ pathName)) as typeof import('node:path');
  return { fs, path };
}

export interface DirStore {
  /** The file's bytes, or null when it does not exist. */
  read(path: string): Promise<Uint8Array | null>;
  write(path: string, bytes: Uint8Array): Promise<void>;
  append(path: string, text: string): Promise<void>;
}

/** `dir` as a store; paths are relative and '/'-separated, parent folders are created. */
export function nodeDirStore(dir: string): DirStore {
  const full = async (p: string, mkdir: boolean) => {
    const { fs, path } = await nodeFs();
    const f = path.join(dir, p);
    if (mkdir) await fs.mkdir(path.dirname(f), { recursive: true });
    return { fs, f };
  };
  return {
    async read(p) {
      const { fs, f } = await full(p, false);
      try {
        return new Uint8Array(await fs.readFile(f));
      } catch {
        return null;
      }
    },
    async write(p, bytes) {
      const { fs, f } = await full(p, true);
      await fs.writeFile(f, bytes);
    },
    async append(p, text) {
      const { fs, f } = await full(p, true);
      await fs.appendFile(f, text);
    },
  };
}
