import { defineConfig, devices } from '@playwright/test';

// PW_PORT lets several checkouts on one machine test side by side (each its own preview server).
const PORT = Number(process.env.PW_PORT ?? 4173);
const BASE_URL = `http://127.0.0.1:${PORT}`;

// Chromium is the SYSTEM one (apt's /usr/bin/chromium): no browser is downloaded, ever.
// These flags keep headless Chromium quiet on a machine without network access.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  // Each test may cold-start Pyodide (≈2–4 s) and wait out deliberate timeouts.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: CHROMIUM_ARGS,
        },
      },
    },
  ],
  // Always a fresh production build: reusing a running server can silently test a stale build.
  // Set PW_REUSE_SERVER=1 only when you know the server on :4173 serves the current code.
  webServer: {
    command: `npm run build && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: BASE_URL,
    reuseExistingServer: process.env.PW_REUSE_SERVER === '1',
    // The production build runs first (≈ 1 min on an idle 2-core machine); under load it took
    // over 4 min once and the whole browser run failed before its first test.
    timeout: 600_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
