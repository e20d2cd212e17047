/**
 * Adds up vitest's JSON reports (written in CI, see vitest.config.ts) into one closing line,
 * `tests: N passed, N failed, N skipped`, so that whoever reads the end of a CI log sees how many
 * tests ran. Usage: node scripts/test-summary.ts REPORT.json [REPORT.json …]; a missing report
 * counts as nothing run (and says so).
 */
import { existsSync, readFileSync } from 'node:fs';

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.log(`no test report at ${file}`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as VitestJsonReport;
  console.log(`${file} — passed ${report.numPassedTests}, failed ${report.numFailedTests}`);
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
