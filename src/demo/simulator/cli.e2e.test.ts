import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const main = path.resolve(import.meta.dirname, '../../main.ts');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-sim-cli-'));
const env = {
  ...process.env,
  CITYBRAIN_DATA_DIR: dataDir,
  CITYBRAIN_LOG_LEVEL: 'warn',
  CITYBRAIN_ADMIN_PASSWORD: 'cli-test-password',
  MQTT_PORT: '0',
  // Were the flag ignored, every device would report.
  CITYBRAIN_SIMULATOR_RATE: '1',
};

describe('citybrain demo and its simulator flags', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a rate outside 0–1, from the flag or the environment, with exit 2', () => {
    const flag = spawnSync(process.execPath, [main, 'demo', '--simulator-rate', '2'], {
      env,
      encoding: 'utf8',
    });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("--simulator-rate must be a number from 0 to 1, not '2'");
    const variable = spawnSync(process.execPath, [main, 'demo'], {
      env: { ...env, CITYBRAIN_SIMULATOR_RATE: 'lots' },
      encoding: 'utf8',
    });
    expect(variable.status).toBe(2);
    expect(variable.stderr).toMatch(/simulatorRate \(CITYBRAIN_SIMULATOR_RATE\)/);
  });

  it('--no-simulator really stops it: no device reports, none online, a minute and more after the start', async () => {
    child = spawn(process.execPath, [main, '--port', '0', 'demo', '--no-simulator'], { env });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const deadline = Date.now() + 240_000;
    while (!/web\s+(http:\/\/\S+)\//.test(out) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500));
    const base = /web\s+(http:\/\/\S+?)\/\s/.exec(out)?.[1];
    expect(base).toBeDefined();
    expect(out).toContain('simulator  off (--no-simulator)');
    // Every simulated report would have come within its minute (parking, traffic, crowd).
    await new Promise((r) => setTimeout(r, 75_000));
    const { token } = (await (
      await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'cli-test-password' }),
      })
    ).json()) as { token: string };
    const get = async (url: string) =>
      (await (await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        items: { id: string; lastSeenAt: string | null }[];
      };
    expect((await get('/api/v1/devices?limit=10')).items).toHaveLength(10);
    expect((await get('/api/v1/devices?status=online&limit=10')).items).toEqual([]);
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }, 360_000);
});
