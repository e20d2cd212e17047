import { defineConfig } from 'vitest/config';

// In CI a JSON report is written beside the usual output; scripts/test-summary.ts adds up the
// server and web reports into the closing 'N passed, N failed' line that .ci/run prints.
const ciReport = process.env.CI
  ? { reporters: ['default', 'json'], outputFile: { json: 'test-artifacts/vitest-server.json' } }
  : {};

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time (vitest's default here is cores − 1 = 1): most server files wait on
    // databases, brokers, timers and child processes, and the machine idles at a load of about 1
    // with one. Every file owns its databases (random names), bus prefixes and ports.
    maxWorkers: 2,
    ...ciReport,
  },
});
