import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../app.ts';
import { checkPublishedDraw } from '../cli/draw.command.ts';
import { loadConfig } from '../config.ts';
import { ensureEnforcementDemo, JOINT_STORY } from '../demo/enforcement-demo.ts';
import { DEMO_DATA_DIR, DEMO_PASSWORD } from '../demo/prepare.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { ManualClock } from '../platform/clock.ts';
import { openTestDatabase, testBackends } from '../platform/db/testing.ts';
import { createLogger } from '../platform/logger.ts';
import type { Driver } from './driver.ts';
import { jointInspection } from './enforcement-story.ts';

/** The joint-inspection story in-process (HTTP by inject) on simulated time, over the demo city's streets. */
describe.each(testBackends)('joint-inspection story on %s', (kind) => {
  let app: App;
  let dataDir: string;
  const clock = new ManualClock('2026-03-02T09:00:00+08:00');
  const tokens = new Map<string, string | null>();
  const lines: string[] = [];
  const login = async (user: string) => {
    if (!tokens.has(user)) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: user, password: DEMO_PASSWORD },
      });
      tokens.set(user, res.statusCode === 200 ? res.json().token : null);
    }
    return tokens.get(user) ?? null;
  };
  const driver: Driver = {
    async call(method, url, user, body, headers = {}) {
      const token = user ? await login(user) : null;
      const res = await app.http.inject({
        method,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body === undefined ? {} : { payload: body as string }),
      });
      const type = String(res.headers['content-type'] ?? '');
      return { status: res.statusCode, body: type.includes('json') ? res.json() : res.body };
    },
    canLogin: async (user) => (await login(user)) !== null,
    publish: async () => undefined,
    now: () => clock.now().getTime(),
    async advance(ms) {
      clock.advance(ms);
    },
    async until(what, probe) {
      const v = await probe();
      if (!v) throw new Error(`${what}: not reached`);
      return v;
    },
    log: (line) => lines.push(line),
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-en-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, adminPassword: 'admin-password-en', tokenSecret: 's'.repeat(40) },
    );
    app = await createApp({
      config,
      logger: createLogger('error'),
      clock,
      database: await openTestDatabase(kind),
      scenarios: { crowdIntervalMs: 0 },
    });
    await app.services.jurisdictions.importFile(
      SYSTEM_PRINCIPAL,
      path.join(DEMO_DATA_DIR, 'jurisdictions.geojson'),
      {
        level: 'auto',
        parentProperty: 'parent',
        nameEnProperty: 'name_en',
      },
    );
    // A smaller register than the demo's 20,000 keeps the test quick; the story needs only Liangping's plant.
    await ensureEnforcementDemo(app, DEMO_PASSWORD, { count: 3000 });
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    if (process.env.SHOW_STORIES) console.log(lines.join('\n'));
  });

  it('merges four departments into one visit, verifies both codes, countersigns, refuses a repeat and updates credit', async () => {
    const { outcome } = await jointInspection(driver);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      story: 'joint-inspection',
      holds: true,
      failed: [],
      visits: 1,
      codesVerified: 2,
      recordCountersigned: true,
      repeatRefused: true,
      seedMismatchRefused: true,
      drawRerunMatches: true,
    });
    expect(outcome.departments).toEqual(expect.arrayContaining([...JOINT_STORY.departments]));
    expect(outcome.inspectionsPlanned).toBeGreaterThanOrEqual(4);
    expect(outcome.creditAfter).toBeLessThan(outcome.creditBefore as number);
    expect(lines.join('\n')).toContain('一次联合检查');
  });

  it('re-runs the published draws outside the server (citybrain draw verify) and catches altered inputs', async () => {
    const draws = (await driver.call('GET', '/api/v1/enforcement/draws?limit=5')).body.items as {
      id: string;
    }[];
    expect(draws.length).toBeGreaterThan(0);
    const get = async (p: string) => (await driver.call('GET', p)).body;
    for (const d of draws)
      expect(await checkPublishedDraw(d.id, get)).toMatchObject({
        holds: true,
        commitmentMatches: true,
        resultMatches: true,
      });
    const altered = async (p: string) => {
      const body = await get(p);
      return p.endsWith('/inputs') ? { ...body, enterprises: body.enterprises.slice(1) } : body;
    };
    expect(await checkPublishedDraw(draws[0]?.id ?? '', altered)).toMatchObject({
      holds: false,
      inputsDigestMatches: false,
    });
  });

  it('runs again on the same instance: the new window starts after the quiet period', async () => {
    const { outcome } = await jointInspection(driver);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ holds: true, visits: 1 });
  });
});
