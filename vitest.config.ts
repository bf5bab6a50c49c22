import { defineConfig } from 'vitest/config';

// Unit and integration tests run in Node against real Pyodide and TF.js, so the default
// timeouts are generous and each test file gets its own process (`forks`): Pyodide and the WASM
// backends are heavy and must not share state between files. app/ tests cover the UI's
// framework-free logic (session bookkeeping, image helpers); the UI itself is tested in e2e/.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'cli/**/*.test.ts', 'app/**/*.test.ts', 'build-plugins/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'e2e/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: true,
  },
});
