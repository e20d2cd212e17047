import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const main = path.resolve(import.meta.dirname, '../main.ts');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-rules-cli-'));

/** Runs the real CLI in a child process; no PostgreSQL, NATS or MQTT configured unless given. */
function serve(args: string[], env: Record<string, string> = {}) {
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    CITYBRAIN_DATA_DIR: dataDir,
    CITYBRAIN_LOG_LEVEL: 'warn',
    PORT: '0',
  };
  delete base.CITYBRAIN_DATABASE_URL;
  delete base.CITYBRAIN_NATS_URL;
  delete base.CITYBRAIN_MQTT_URL;
  const result = spawnSync(process.execPath, [main, 'serve', ...args], {
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr };
}

describe('citybrain serve --role rules|ingest: what they need, said before anything starts', {
  timeout: 120_000,
}, () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('rules without PostgreSQL and NATS names both variables', () => {
    const run = serve(['--role', 'rules']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--role rules needs PostgreSQL');
    expect(run.stderr).toContain('CITYBRAIN_DATABASE_URL');
    expect(run.stderr).toContain('CITYBRAIN_NATS_URL');
  });

  it('rules with PostgreSQL but no NATS names only NATS', () => {
    const run = serve(['--role', 'rules'], {
      CITYBRAIN_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('CITYBRAIN_NATS_URL');
    expect(run.stderr).not.toContain('CITYBRAIN_DATABASE_URL');
  });

  it('ingest with a broker but no NATS says the readings go to rules processes over JetStream', () => {
    const run = serve(['--role', 'ingest'], {
      CITYBRAIN_MQTT_URL: 'mqtt://127.0.0.1:1883',
      CITYBRAIN_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('hands new readings to the rules processes');
    expect(run.stderr).toContain('CITYBRAIN_NATS_URL');
  });

  it('refuses a bad partition count and an unknown role', () => {
    expect(serve(['--role', 'rules', '--partitions', '0']).stderr).toContain(
      '--partitions must be an integer from 1 to 256',
    );
    expect(serve(['--role', 'worker']).stderr).toContain(
      "unknown --role 'worker' (allowed: all, api, ingest, rules)",
    );
  });
});
