import { defineConfig } from 'vitest/config';

// Three projects: `unit` needs nothing but this machine; `int` talks to PostgreSQL and NATS
// (files named *.int.test.ts) and skips with a visible message when they are absent, unless
// AISOC_REQUIRE_SERVICES=1 (set by .ci/run) turns the skip into a failure.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
          exclude: [
            '**/*.int.test.ts',
            '**/*.scale.test.ts',
            'test/browser/**',
            'node_modules/**',
            'dist/**',
          ],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          globalSetup: ['test/support/global-cli-bundle.ts'],
        },
      },
      {
        test: {
          name: 'int',
          include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ['test/support/global-cli-bundle.ts'],
          // One file at a time: the suites share one PostgreSQL and one NATS server, and
          // schema creation and migrations racing across files have failed under load.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        // The console in Chromium against a real `aisoc serve` (skipped without Chromium).
        test: {
          name: 'browser',
          include: ['test/browser/*.test.ts'],
          globalSetup: ['test/support/global-cli-bundle.ts', 'test/browser/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
