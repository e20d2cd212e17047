import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const main = path.resolve(import.meta.dirname, '../main.ts');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-'));

/** Runs the real CLI in a child process with its own embedded data directory. */
function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [main, ...args], {
    env: { ...process.env, CITYBRAIN_DATA_DIR: dataDir, CITYBRAIN_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// Each test runs the CLI in child processes (a migrate imports the whole app): up to a minute
// each on a loaded machine, so the tests get more than the suite's default 30 s.
describe('citybrain CLI', { timeout: 150_000 }, () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('stops on a bad setting, naming the variable, with exit 2', () => {
    const run = cli(['migrate'], { PORT: 'eighty' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/port \(PORT\).*"eighty"/);
  });

  it('migrates, then reports the database up to date', () => {
    expect(cli(['migrate']).stdout).toMatch(/applied \d+ migrations/);
    const again = cli(['migrate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('database is up to date');
  });

  it('imports a city and a district, and refuses a bad file naming the feature, importing nothing', () => {
    const square = (x0: number, y0: number, d: number) => [
      [
        [x0, y0],
        [x0 + d, y0],
        [x0 + d, y0 + d],
        [x0, y0 + d],
        [x0, y0],
      ],
    ];
    const file = (features: unknown[]) => {
      const f = path.join(dataDir, `f${Math.random()}.geojson`);
      fs.writeFileSync(f, JSON.stringify({ type: 'FeatureCollection', features }));
      return f;
    };
    const city = file([
      {
        type: 'Feature',
        properties: { code: '99', name: '测试市' },
        geometry: { type: 'Polygon', coordinates: square(0, 0, 2) },
      },
    ]);
    const ok = cli(['import', 'jurisdictions', city, '--level', 'city']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('imported 1 jurisdictions');
    const bad = file([
      {
        type: 'Feature',
        properties: { code: '9901', name: '甲区' },
        geometry: { type: 'Polygon', coordinates: square(0, 0, 1) },
      },
      {
        type: 'Feature',
        properties: { code: '9902', name: '乙区' },
        geometry: { type: 'Point', coordinates: [1, 1] },
      },
    ]);
    const refused = cli(['import', 'jurisdictions', bad, '--level', 'district', '--parent-property', 'none']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/invalid_data: feature 1 \(code 9902\)/);
    const notJson = file([]);
    fs.writeFileSync(notJson, '{ not json');
    expect(cli(['import', 'jurisdictions', notJson, '--level', 'city']).stderr).toMatch(/not valid JSON/);
  });

  it('verifies the audit chain the imports wrote', () => {
    const run = cli(['audit', 'verify']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/audit log intact: [1-9]\d* entries verified/);
  });

  it('adds a user with a generated password and lists it', () => {
    const add = cli(['users', 'add', 'ops.test', '--jurisdiction', '99', '--roles', 'city_operator']);
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/created ops\.test .* at 99\npassword: \S{12,}/);
    expect(cli(['users', 'list']).stdout).toMatch(/^ops\.test\t.*\tcity_operator\t99\tactive$/m);
    const unknown = cli(['users', 'add', 'x.test', '--jurisdiction', '12345']);
    expect(unknown.code).toBe(1);
  });
});
