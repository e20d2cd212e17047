import type { Principal } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database, DatabaseKind } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/testing.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { algorithmMigrations } from './algorithms.migrations.ts';
import type { RegisterFields } from './algorithms.schema.ts';
import { AlgorithmRegistry, type AlgorithmRegistryOptions } from './algorithms.service.ts';

/** Principals the tests act as: a liaison of the city administration bureau (CGJ), two auditors, an admin, an operator. */
export const people = {
  liaison: testPrincipal('50', ['department_liaison'], 'CGJ'),
  otherLiaison: testPrincipal('50', ['department_liaison'], 'STJ'),
  auditor: { ...testPrincipal('50', ['auditor']), id: 'auditor-1' },
  auditor2: { ...testPrincipal('50', ['auditor']), id: 'auditor-2' },
  admin: testPrincipal('50', ['admin']),
  dispatcher: testPrincipal('50/500103', ['district_operator']),
} satisfies Record<string, Principal>;

/** A complete filing for a nearest-team dispatch algorithm owned by CGJ. */
export function sampleRegister(overrides: Partial<RegisterFields> = {}): RegisterFields {
  const t = (zh: string, en: string) => ({ zh, en });
  return {
    name: t('就近派遣', 'Nearest team assignment'),
    description: t('选择最近的在岗队伍', 'Chooses the nearest team on duty'),
    owner: { departmentCode: 'CGJ', departmentName: t('城市管理局', 'City Administration Bureau') },
    contact: {
      unit: t('指挥中心', 'Command centre'),
      functionalEmail: 'algo@cgj.example.gov.cn',
      person: '张伟',
      phone: '13800001111',
    },
    purpose: t('缩短到场时间', 'Shorten time to arrive'),
    impact: t('影响派遣顺序', 'Shapes dispatch order'),
    legalBasis: [{ title: t('互联网信息服务算法推荐管理规定', 'Provisions on algorithmic recommendation') }],
    decisionType: 'scheduling_decision',
    dataSources: [{ name: t('队伍位置', 'Team positions'), personalData: true }],
    technicalOperation: t('按路网距离排序', 'Ranks by network distance'),
    supplier: { name: t('自研', 'In house'), kind: 'in_house' },
    riskCategory: 'limited',
    humanOversight: t('调度员可改派', 'Dispatcher may reassign'),
    risks: [
      {
        risk: t('位置过期', 'Stale positions'),
        mitigation: t('超过5分钟不用', 'Ignore fixes older than 5 min'),
      },
    ],
    impactAssessment: { summary: t('已评估', 'Assessed') },
    selfAssessment: { summary: t('已自评', 'Self-assessed') },
    explainFields: {
      'event.category': 'MASK_NONE',
      'reporter.phone': 'MASK_PHONE_CN',
      'reporter.idNumber': 'MASK_ID_CN',
    },
    ...overrides,
  };
}

/** A migrated test database with a registry over it (not started). */
export async function openRegistry(
  kind: DatabaseKind,
  options: Partial<AlgorithmRegistryOptions> = {},
): Promise<{ database: Database; registry: AlgorithmRegistry; audit: AuditLog; clock: ManualClock }> {
  const database = await openTestDatabase(kind);
  await migrateToLatest(database.db, [auditMigrations, algorithmMigrations]);
  const clock = new ManualClock('2025-11-20T12:00:00Z');
  const audit = new AuditLog(clock);
  const registry = new AlgorithmRegistry({
    db: database.db,
    audit,
    clock,
    refreshMs: 50,
    flushMs: 20,
    ...options,
  });
  return { database, registry, audit, clock };
}

/** Files, approves (four-eyes) and puts a version in use through the lifecycle, as real people would. */
export async function putInUse(
  registry: AlgorithmRegistry,
  key: string,
  version: string,
  register = sampleRegister(),
) {
  await registry.register.create(people.liaison, { key, version, register });
  await registry.register.transition(people.liaison, key, version, {
    to: 'filed',
    reason: 'ready for review',
  });
  await registry.register.transition(people.auditor, key, version, {
    to: 'approved',
    reason: 'assessment complete',
  });
  return registry.register.transition(people.auditor, key, version, { to: 'in_use', reason: 'go live' });
}
