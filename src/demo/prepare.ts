import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../app.ts';
import { ensureOpen311Key } from '../modules/open311/index.ts';
import { buildDemoParking, demoSensors } from '../modules/parking/index.ts';
import { DEMO_DEVICES_CSV } from '../modules/sensing/index.ts';
import { DEMO_ROADS_FILE } from '../modules/traffic/index.ts';
import { type Role, SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { ensureDatahubDemo } from './datahub-demo.ts';
import { ensureEnforcementDemo } from './enforcement-demo.ts';
import { ensureServicesDemo } from './services-demo.ts';
import { ensureScenarioDemo } from './story-staffing.ts';

/** Where the shipped demo city lives. */
export const DEMO_DATA_DIR = path.resolve(import.meta.dirname, '../../data/chongqing');

/** Password of the documented demo users (demo mode only; see README). */
export const DEMO_PASSWORD = 'citybrain-demo';

/** The documented demo users: one per level and role a newcomer wants to try. */
export const DEMO_USERS: {
  username: string;
  displayName: string;
  roles: Role[];
  jurisdictionCode: string;
  departmentCode: string | null;
}[] = [
  {
    username: 'district.yuzhong',
    displayName: '渝中区城市运行管理中心 值班员',
    roles: ['district_operator'],
    jurisdictionCode: '500103',
    departmentCode: null,
  },
  {
    username: 'street.jiefangbei',
    displayName: '解放碑街道 基层智治中心 值班员',
    roles: ['street_operator'],
    jurisdictionCode: '500103003',
    departmentCode: null,
  },
  {
    username: 'officer.jiefangbei',
    displayName: '解放碑街道 综合行政执法队员',
    roles: ['field_officer'],
    jurisdictionCode: '500103003',
    departmentCode: '500103003:urban_management',
  },
  {
    username: 'auditor',
    displayName: '市级审计员',
    roles: ['auditor'],
    jurisdictionCode: '50',
    departmentCode: null,
  },
];

/**
 * Makes a started app usable. Every start: the `admin` user exists (password from
 * CITYBRAIN_ADMIN_PASSWORD, or generated and printed once). Demo mode: the Chongqing
 * demo city (jurisdictions, departments, centres, teams) and the demo users are loaded.
 * Idempotent: a second start adds nothing. Returns lines for the start-up banner.
 */
export async function prepareCity(app: App, options: { demo: boolean }): Promise<string[]> {
  const { jurisdictions, organisation, identity } = app.services;
  const banner: string[] = [];
  if (options.demo) {
    const existing = await jurisdictions.list({ level: 'city' });
    if (existing.length === 0) {
      const result = await jurisdictions.importFile(
        SYSTEM_PRINCIPAL,
        path.join(DEMO_DATA_DIR, 'jurisdictions.geojson'),
        {
          level: 'auto',
          parentProperty: 'parent',
          nameEnProperty: 'name_en',
        },
      );
      app.logger.info({ count: result.count, byLevel: result.byLevel }, 'demo jurisdictions imported');
    }
    const nodes = (await jurisdictions.list()).map((n) => ({ ...n, point: n.label }));
    const generated = await organisation.structure.generate(SYSTEM_PRINCIPAL, nodes, { demoTeams: true });
    if (generated.departments + generated.centres + generated.teams > 0) {
      app.logger.info(generated, 'demo organisation generated');
    }
    const devices = await app.services.sensing.devices.list(SYSTEM_PRINCIPAL, { limit: 1 });
    if (devices.length === 0) {
      const credentials = await app.services.sensing.devices.import(
        SYSTEM_PRINCIPAL,
        'csv',
        fs.readFileSync(DEMO_DEVICES_CSV, 'utf8'),
      );
      // The simulator publishes as these devices; secrets are stored only hashed in the database.
      fs.mkdirSync(app.config.dataDir, { recursive: true });
      fs.writeFileSync(demoSecretsFile(app.config.dataDir), JSON.stringify(credentials), { mode: 0o600 });
      app.logger.info({ count: credentials.length }, 'demo devices registered');
    }
    // The demo's approximate road network, imported as a real city imports its own (after the detectors).
    if ((await app.services.traffic.linkCount()) === 0) {
      const roads = await app.services.traffic.importNetwork(
        SYSTEM_PRINCIPAL,
        JSON.parse(fs.readFileSync(DEMO_ROADS_FILE, 'utf8')),
      );
      app.logger.info(roads, 'demo road network imported');
    }
    // The demo's SYNTHETIC shared parking: 14,800 spaces in the central districts, fitted with the demo's parking sensors.
    if ((await app.services.parking.spaceCount()) === 0) {
      const parking = await app.services.parking.addSites(
        SYSTEM_PRINCIPAL,
        buildDemoParking(demoSensors(DEMO_DEVICES_CSV)),
        true,
      );
      app.logger.info(parking, 'demo shared parking added (synthetic)');
    }
    // A real city files and approves its algorithms itself; the demo files the platform's own as in use.
    // The life circle's synthetic demo facilities: a flag, nothing is computed until asked.
    await app.services.lifecircle.enableDemo();
    // The matching's SYNTHETIC needs, providers and volunteers: a flag, stored at the first matching run.
    await app.services.matching.enableDemo();
    await app.services.algorithms.loadRegisterFile(
      path.resolve(import.meta.dirname, '../../data/algorithms/register.v1.json'),
      SYSTEM_PRINCIPAL,
    );
    // Patrol hot spots: a year of synthetic reported incidents (a flag) and its filing.
    await app.services.patrol.enableDemo();
    await app.services.algorithms.loadRegisterFile(
      path.resolve(import.meta.dirname, '../../data/algorithms/patrol.v1.json'),
      SYSTEM_PRINCIPAL,
    );
    // The integrated services' pre-check of materials (issue 14).
    await app.services.algorithms.loadRegisterFile(
      path.resolve(import.meta.dirname, '../../data/algorithms/services.v1.json'),
      SYSTEM_PRINCIPAL,
    );
  }
  const hub = (await jurisdictions.list({ level: 'city' }))[0];
  if (!hub) {
    banner.push('  setup      no city imported yet: citybrain import jurisdictions FILE --level city …');
    return banner;
  }
  const password = app.config.adminPassword ?? randomBytes(12).toString('base64url');
  const admin = await identity.ensureUser({
    username: 'admin',
    displayName: 'Administrator 系统管理员',
    password,
    roles: ['admin'],
    jurisdictionCode: hub.code,
    departmentCode: null,
  });
  if (admin.created && !app.config.adminPassword) {
    banner.push(
      `  admin      user 'admin', password ${password}  (shown once: keep it, or set CITYBRAIN_ADMIN_PASSWORD)`,
    );
  } else {
    banner.push(
      `  admin      user 'admin'${app.config.adminPassword ? ' (password from CITYBRAIN_ADMIN_PASSWORD)' : ''}`,
    );
  }
  if (options.demo) {
    for (const user of DEMO_USERS) await identity.ensureUser({ ...user, password: DEMO_PASSWORD });
    banner.push(`  demo users ${DEMO_USERS.map((u) => u.username).join(', ')} — password ${DEMO_PASSWORD}`);
    banner.push(await ensureOpen311Key(identity, hub.code, app.config.open311Key));
    // Demo staffing the stories need (liaison teams, officers per story department).
    await ensureScenarioDemo(app, DEMO_PASSWORD);
    banner.push(await ensureDatahubDemo(app, DEMO_PASSWORD));
    banner.push(await ensureEnforcementDemo(app, DEMO_PASSWORD));
    banner.push(await ensureServicesDemo(app, DEMO_PASSWORD));
    await app.services.centre.teams.reload();
  }
  return banner;
}

/** Where the demo keeps the secrets of its simulated devices (owner-readable only). */
export function demoSecretsFile(dataDir: string): string {
  return path.join(dataDir, 'demo-device-secrets.json');
}
