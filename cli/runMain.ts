/**
 * Runs a CLI's `main` when its file is the process entry (not when imported by tests):
 * exit with main's code; an uncaught error prints one line (plus the usage) and exits 2.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function runIfMain(moduleUrl: string, main: (argv: string[]) => Promise<number>, usage = ''): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`error: ${err.message}${usage ? `\n${usage}` : ''}`);
      process.exit(2);
    },
  );
}
