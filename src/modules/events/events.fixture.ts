import os from 'node:os';
import path from 'node:path';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { busOutboxMigrations } from '../../platform/bus/index.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database, DatabaseKind } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/testing.ts';
import { notFound } from '../../platform/errors.ts';
import { createTestApi, testPrincipal } from '../../platform/http/testing.ts';
import { createLogger } from '../../platform/logger.ts';
import { buildEventCentre } from '../../workflows/event-centre.ts';
import { AlgorithmRegistry, algorithmMigrations } from '../algorithms/index.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { dispatchMigrations, registerDispatchRoutes } from '../dispatch/index.ts';
import { notifyMigrations } from '../notify/index.ts';
import type { TeamDto } from '../organisation/index.ts';
import type { Rule } from './events.deps.ts';
import { eventMigrations } from './events.migrations.ts';
import { registerEventRoutes } from './events.routes.ts';

const REGISTER = path.resolve(import.meta.dirname, '../../../data/algorithms/register.v1.json');

/** Three rules of the responsibility list, as the organisation module would answer them. */
export const RULES: Record<string, Rule> = {
  barbecue_smoke: rule(
    'barbecue_smoke',
    '露天烧烤油烟',
    'urban_management',
    ['ecology_environment'],
    'smoke',
    15,
  ),
  street_vending: rule('street_vending', '占道经营', 'urban_management', [], 'street_vending', 15),
  litter: rule('litter', '道路积存垃圾', 'urban_management', [], 'sanitation', 30),
};

function rule(category: string, zh: string, type: string, co: string[], skill: string, accept: number): Rule {
  return {
    category,
    zh,
    en: category,
    departmentType: type,
    coDepartmentTypes: co,
    level: 'street',
    skill,
    limits: { acceptMinutes: accept, arriveMinutes: accept * 3, resolveMinutes: 240 },
  };
}

/** Two streets of Yuzhong split at lon 106.57: 七星岗 west, 解放碑 east. */
export function locate(lon: number, lat: number) {
  if (lat < 29.5 || lat > 29.6 || lon < 106.55 || lon > 106.6) return Promise.resolve(undefined);
  const street =
    lon < 106.57
      ? { code: '500103001', name: '七星岗街道', level: 'street' as const }
      : { code: '500103003', name: '解放碑街道', level: 'street' as const };
  return Promise.resolve({
    chain: [
      { code: '50', name: '重庆市', level: 'city' as const },
      { code: '500103', name: '渝中区', level: 'district' as const },
      street,
    ],
    approximate: true,
  });
}

function team(
  code: string,
  node: string,
  type: string,
  skills: string[],
  lon: number,
  lat: number,
  capacity = 10,
): TeamDto {
  const path = node.length > 6 ? `50/500103/${node}` : `50/${node}`;
  return {
    id: `team-${code}`,
    code,
    name: code,
    kind: 'enforcement_squad',
    departmentCode: `${node}:${type}`,
    jurisdictionCode: node,
    jurisdictionPath: path,
    base: { lon, lat },
    skills: skills as TeamDto['skills'],
    onDuty: true,
    capacity,
    activeTasks: 0,
    position: null,
    updatedAt: '2025-11-20T00:00:00Z',
  };
}

/** A keyword classifier standing in for the trained one (deterministic, records what it learns). */
export function fakeClassifier() {
  const learnt: [string, string][] = [];
  const bigrams = (s: string) => new Set([...s].slice(0, -1).map((c, i) => c + s[i + 1]));
  return {
    learnt,
    classify(text: string) {
      const [category, confidence] = text.includes('烧烤')
        ? ['barbecue_smoke', 0.9]
        : text.includes('摊')
          ? ['street_vending', 0.85]
          : ['litter', 0.2];
      return {
        category,
        confidence,
        needsHuman: confidence < 0.5,
        alternatives: [{ category, p: confidence }],
        explanation: [{ term: text.slice(0, 2), kind: 'word' as const, weight: 1 }],
      };
    },
    learn(text: string, category: string) {
      learnt.push([text, category]);
    },
    similarity(a: string, b: string) {
      const x = bigrams(a);
      const y = bigrams(b);
      const common = [...x].filter((g) => y.has(g)).length;
      return common / Math.max(1, x.size + y.size - common);
    },
  };
}

/** The people the tests act as. */
export const people = {
  street: testPrincipal('50/500103/500103003', ['street_operator']),
  otherStreet: testPrincipal('50/500103/500103001', ['street_operator']),
  district: testPrincipal('50/500103', ['district_operator']),
  officer: testPrincipal('50/500103/500103003', ['field_officer'], '500103003:urban_management'),
  citizen: { ...SYSTEM_PRINCIPAL, id: 'citizen-portal', roles: [] },
};

/** The event centre over a fresh database with stand-ins for jurisdictions, organisation and the classifier. */
export async function openEventCentre(kind: DatabaseKind, teams?: TeamDto[]) {
  const database: Database = await openTestDatabase(kind);
  const db = database.db;
  await migrateToLatest(db, [
    auditMigrations,
    algorithmMigrations,
    busOutboxMigrations,
    eventMigrations,
    dispatchMigrations,
    notifyMigrations,
  ]);
  const clock = new ManualClock('2025-11-20T20:17:00+08:00');
  const audit = new AuditLog(clock);
  const logger = createLogger('silent');
  const registry = new AlgorithmRegistry({ db, audit, clock, refreshMs: 100, flushMs: 20 });
  await registry.loadRegisterFile(REGISTER, SYSTEM_PRINCIPAL);
  await registry.start();
  const roster = teams ?? [
    team('JFB-1', '500103003', 'urban_management', ['smoke', 'street_vending'], 106.575, 29.552),
    team('JFB-2', '500103003', 'urban_management', ['smoke', 'street_vending'], 106.585, 29.56),
    team('QXG-1', '500103001', 'urban_management', ['smoke', 'street_vending'], 106.56, 29.553),
    team('ENV-1', '500103', 'ecology_environment', ['smoke'], 106.57, 29.55),
  ];
  const source = {
    all: async () => roster,
    get: async (id: string) => {
      const t = roster.find((x) => x.id === id);
      if (!t) throw notFound('team', id);
      return t;
    },
    setPosition: async () => undefined,
  };
  const departments = new Set([
    '500103003:urban_management',
    '500103001:urban_management',
    '500103:urban_management',
    '500103:ecology_environment',
  ]);
  const classifier = fakeClassifier();
  // The same builder as the app's (src/workflows/event-centre.ts), over stand-ins.
  const {
    events,
    dispatch,
    notify,
    teams: directory,
    scheduler,
    routing,
  } = buildEventCentre({
    db,
    audit,
    clock,
    logger,
    algorithms: registry,
    teamSource: source,
    departmentExists: async (code: string) => departments.has(code),
    departmentName: async (code) => `dept ${code}`,
    rule: async (c) => {
      const r = RULES[c];
      if (!r) throw notFound('responsibility category', c);
      return r;
    },
    locate,
    classifier,
    evidenceDir: path.join(os.tmpdir(), `cb-evidence-${process.pid}`),
    maxEvidenceBytes: 1024,
    photoDir: path.join(os.tmpdir(), `cb-photos-${process.pid}`),
    photoLimits: { maxBytes: 1024, anonymousPerWindow: 5 },
  });
  await directory.reload();
  return {
    database,
    db,
    clock,
    audit,
    registry,
    events,
    dispatch,
    notify,
    classifier,
    scheduler,
    routing,
    roster,
    async close() {
      await registry.stop();
      await database.close();
    },
  };
}

/**
 * The event centre (as openEventCentre) behind the real HTTP stack: the named `people` sign in with
 * their name as bearer token; the dispatch routes (1,024-byte evidence cap) and, with `eventRoutes`,
 * the event routes are registered. `close` closes both.
 */
export async function openEventCentreApi(
  kind: DatabaseKind,
  users: (keyof typeof people)[],
  options: { eventRoutes?: boolean } = {},
) {
  const ec = await openEventCentre(kind);
  try {
    const api = await createTestApi(Object.fromEntries(users.map((u) => [u, people[u]])));
    if (options.eventRoutes) {
      registerEventRoutes(api, {
        events: ec.events,
        dispatch: ec.dispatch,
        notify: ec.notify,
        db: ec.db,
        clock: ec.clock,
      });
    }
    registerDispatchRoutes(api, { dispatch: ec.dispatch, maxEvidenceBytes: 1024 });
    await api.ready();
    return {
      ec,
      api,
      async close() {
        await api.close();
        await ec.close();
      },
    };
  } catch (e) {
    await ec.close();
    throw e;
  }
}
