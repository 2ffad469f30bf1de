import { defineConfig } from 'vitest/config';

// `npm run test:scale` (issue 16): the scaled-out deployment as child processes against real
// PostgreSQL and NATS. Run once, after `npm test`; kept out of the default projects.
export default defineConfig({
  test: {
    name: 'scale',
    include: ['test/scale/**/*.scale.test.ts'],
    testTimeout: 420_000, // ~1 min on an idle 2-core machine; child start-up is slow under load
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-cli-bundle.ts'],
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});
