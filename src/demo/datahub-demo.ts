// Demo seeding of the data middle platform (issue 13): the catalogue with the story's resources and
// list entries, the data-sharing users, and the departments' synthetic source data (data/datahub/)
// in a real MariaDB when one answers, else the shipped CSV files. Only prepare.ts calls it.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import mariadb from 'mariadb';
import type { App } from '../app.ts';
import {
  type Connector,
  CsvConnector,
  guard,
  type ListEntry,
  MariaDbConnector,
  type ResourceDto,
} from '../modules/datahub/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { SERVICES_ENTRIES, SERVICES_OWNERS, SERVICES_TABLES, servicesResources } from './services-demo.ts';

const DATA = path.resolve(import.meta.dirname, '../../data/datahub');
/** The source system of the story's departmental data (the demo's departments share one store). */
export const DEMO_SOURCE = 'demo-departments';
/** The story's catalogue resources. */
export const DEMO_RESOURCES = {
  permits: 'demo-ee-discharge-permits',
  personal: 'demo-ps-personal-records',
  health: 'demo-hc-ili-weekly',
} as const;
/** The demo's data-sharing users (password: the demo password). */
export const DATAHUB_USERS = { authority: 'data.authority', healthLiaison: 'liaison.50.health' } as const;

const TABLES: Record<string, { file: string; table: string; ddl: string }> = {
  [DEMO_RESOURCES.permits]: {
    file: 'discharge-permits.v1.csv',
    table: 'discharge_permits',
    ddl: `permit_no varchar(40) primary key, enterprise varchar(100), district varchar(40), town varchar(40),
      river varchar(40), cod_limit_mg_l double, nh3n_limit_mg_l double, valid_until date,
      contact_person varchar(40), contact_phone varchar(20), synthetic boolean`,
  },
  // The integrated-services stories' records (src/demo/services-demo.ts).
  ...SERVICES_TABLES,
  [DEMO_RESOURCES.health]: {
    file: 'health-ili-weekly.v1.csv',
    table: 'health_ili_weekly',
    ddl: `district varchar(40), week varchar(10), ili_cases int, ili_rate_pct double, synthetic boolean,
      primary key (district, week)`,
  },
};

const f = (name: string, titleZh: string, cls: ResourceDto['fields'][number]['class'] = 'public') => ({
  name,
  titleZh,
  class: cls,
});
const base = { kind: 'dataset', theme: 'ENVI', sourceSystem: DEMO_SOURCE, synthetic: true } as const;

const RESOURCES: ResourceDto[] = [
  {
    ...base,
    id: DEMO_RESOURCES.permits,
    titleZh: '排污许可证信息（綦江区，演示）',
    descriptionZh: '生态环境局核发的排污许可证：单位、排放口所在河流、排放限值、联系人（合成演示数据）。',
    ownerDepartment: '50:ecology_environment',
    updateFrequency: 'daily',
    legalBasis: '《排污许可管理条例》第二十三条',
    sharing: 'unconditional',
    fields: [
      f('permit_no', '许可证编号'),
      f('enterprise', '排污单位'),
      f('district', '区县'),
      f('town', '乡镇街道'),
      f('river', '受纳水体'),
      f('cod_limit_mg_l', '化学需氧量限值'),
      f('nh3n_limit_mg_l', '氨氮限值'),
      f('valid_until', '有效期至'),
      f('contact_person', '联系人', 'personal'),
      f('contact_phone', '联系电话', 'personal'),
    ],
  },
  {
    ...base,
    theme: 'JUST',
    sourceSystem: 'police-cloud',
    id: DEMO_RESOURCES.personal,
    titleZh: '人口基础信息（演示）',
    descriptionZh: '公安局的人口基础信息（合成演示数据）。',
    ownerDepartment: '50:public_security',
    updateFrequency: 'daily',
    legalBasis: '《中华人民共和国居民身份证法》第六条',
    sharing: 'not_shared',
    fields: [
      f('name', '姓名', 'personal'),
      f('id_number', '公民身份号码', 'personal'),
      f('address', '住址', 'personal'),
    ],
  },
  {
    ...base,
    theme: 'HEAL',
    id: DEMO_RESOURCES.health,
    titleZh: '流感样病例周报（演示）',
    descriptionZh: '卫生健康委员会按区县汇总的流感样病例周报（合成演示数据）。',
    ownerDepartment: '50:health',
    updateFrequency: 'weekly',
    legalBasis: '《中华人民共和国传染病防治法》第三十三条',
    sharing: 'conditional',
    fields: [
      f('district', '区县'),
      f('week', '周次'),
      f('ili_cases', '病例数'),
      f('ili_rate_pct', '就诊百分比'),
    ],
  },
];

const ENTRIES: ListEntry[] = [
  {
    id: 'NL-DEMO-PS-1',
    kind: 'not_shared',
    basis: '《中华人民共和国个人信息保护法》第三十四条；《中华人民共和国居民身份证法》第十九条',
    description: '公安局人口基础信息不予共享（演示）',
    scope: { ownerDepartment: '50:public_security', resourceId: DEMO_RESOURCES.personal },
    maskClasses: [],
  },
  {
    id: 'NL-DEMO-HC-1',
    kind: 'conditional',
    basis: '《中华人民共和国数据安全法》第三十八条；《政务信息资源共享管理暂行办法》第九条',
    description: '流感样病例周报经卫生健康委员会审批后共享（演示）',
    scope: { ownerDepartment: '50:health', resourceId: DEMO_RESOURCES.health },
    conditions: { ownerApproval: true },
    maskClasses: [],
  },
];

/** Seeds the catalogue and the list (first start only), the data-sharing users, and connects the story's source. */
export async function ensureDatahubDemo(app: App, password: string): Promise<string> {
  const { datahub, gateway, identity } = app.services;
  if ((await datahub.list.current(SYSTEM_PRINCIPAL)).version === 0) {
    // The permits' contacts are shared masked: no generated ecology-wide entry on personal data may stand in the way.
    // Likewise the integrated-services records: shared for the once-only purpose by their own entries (NL-DEMO-SV-*).
    const keepEntry = (e: ListEntry) =>
      !(e.scope.ownerDepartment === '50:ecology_environment' && e.scope.fieldClass) &&
      !(
        e.scope.fieldClass === 'personal' &&
        SERVICES_OWNERS.has(e.scope.ownerDepartment ?? '') &&
        // The big data bureau also holds the platform's own data (cb-*: the citizens' words in
        // events): its department-wide entry on personal data stays.
        e.scope.ownerDepartment !== '50:big_data'
      );
    const seeded = await datahub.seedDemo(SYSTEM_PRINCIPAL, {
      extra: {
        resources: [...RESOURCES, ...servicesResources(DEMO_SOURCE)],
        entries: [...ENTRIES, ...SERVICES_ENTRIES],
      },
      keepEntry,
    });
    app.logger.info(seeded, 'demo data catalogue and negative list seeded');
  }
  await identity.ensureUser({
    username: DATAHUB_USERS.authority,
    displayName: '市大数据发展局 数据共享管理员',
    password,
    roles: ['data_authority'],
    jurisdictionCode: '50',
    departmentCode: '50:big_data',
  });
  await identity.ensureUser({
    username: DATAHUB_USERS.healthLiaison,
    displayName: '市卫生健康委员会 数据共享联络员',
    password,
    roles: ['department_liaison'],
    jurisdictionCode: '50',
    departmentCode: '50:health',
  });
  const { connector, where } = await demoSource(app.config.datahubMariadbUrl);
  const onFailure = (source: string, reason: string) =>
    app.logger.warn({ source, reason }, 'data source failed');
  await gateway.connectors.register(DEMO_SOURCE, guard(connector, app.clock, { onFailure }), mapping());
  app.logger.info({ source: DEMO_SOURCE, where }, 'demo departmental data connected');
  return `  data hub   ${DATAHUB_USERS.authority}, ${DATAHUB_USERS.healthLiaison}; departmental data in ${where}`;
}

function mapping(): Record<string, string> {
  return Object.fromEntries(Object.entries(TABLES).map(([id, t]) => [id, t.table]));
}

/** The story's source: a real MariaDB loaded from the CSV files when it answers, else the files. */
export async function demoSource(url: string): Promise<{ connector: Connector; where: string }> {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.slice(1)) || 'citybrain_demo';
  const options = {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
  };
  if (await loadMariaDb(options, database)) {
    const connector = new MariaDbConnector({
      id: DEMO_SOURCE,
      ...options,
      database,
      tables: Object.values(TABLES).map((t) => t.table),
    });
    return { connector, where: `MariaDB ${options.host}:${options.port}/${database}` };
  }
  const files = Object.fromEntries(Object.values(TABLES).map((t) => [t.table, path.join(DATA, t.file)]));
  return { connector: new CsvConnector({ id: DEMO_SOURCE, files }), where: `CSV files in ${DATA}` };
}

type MariaOptions = { host: string; port: number; user: string; password: string };

/** Creates the database and tables when missing and (re)loads the rows; false when MariaDB does not answer. */
async function loadMariaDb(options: MariaOptions, database: string): Promise<boolean> {
  const conn = await mariadb.createConnection({ ...options, connectTimeout: 1500 }).catch(() => undefined);
  if (!conn) return false;
  try {
    await conn.query(
      `create database if not exists \`${database.replaceAll('`', '')}\` character set utf8mb4`,
    );
    await conn.query(`use \`${database.replaceAll('`', '')}\``);
    for (const t of Object.values(TABLES)) {
      await conn.query(`create table if not exists ${t.table} (${t.ddl}) character set utf8mb4`);
      const rows = parse(fs.readFileSync(path.join(DATA, t.file)), { columns: true }) as Record<
        string,
        string
      >[];
      const columns = Object.keys(rows[0] ?? {});
      const sql = `replace into ${t.table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`;
      for (const row of rows)
        await conn.query(
          sql,
          columns.map((c) => (row[c] === 'true' ? 1 : row[c])),
        );
    }
    return true;
  } finally {
    await conn.end();
  }
}
