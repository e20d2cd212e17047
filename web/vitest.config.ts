import { defineConfig } from 'vitest/config';

const ciReport = process.env.CI
  ? {
      reporters: ['default', 'json'],
      outputFile: { json: `${import.meta.dirname}/../test-artifacts/vitest-web.json` },
    }
  : {};

/** Web tests (`npm run test:web`): unit tests of the client's helpers and the browser tests. */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['tests/**/*.test.ts'],
    // Prepares the demo city once; each file's server copies it (tests/demo-template.ts).
    globalSetup: ['tests/demo-template.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // One server and one browser per file; files run one after another to keep timings honest.
    fileParallelism: false,
    ...ciReport,
  },
});
