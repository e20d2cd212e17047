// Demo data of the integrated-services stories (issue 14): the departments' records the bundles'
// materials are filled from, as catalogue resources of the demo source, with the negative-list
// entries that share them for the once-only purpose only. datahub-demo.ts seeds them with its own.
import type { App } from '../app.ts';
import type { ListEntry, ResourceDto } from '../modules/datahub/index.ts';
import { ONCE_ONLY_PURPOSE, SERVICES_CONSUMER } from '../wiring/services.ts';

const SERVICES_CONSUMER_DEPARTMENT = SERVICES_CONSUMER.departmentCode;

type Cls = ResourceDto['fields'][number]['class'];
const P: Cls = 'personal';
const I: Cls = 'internal';
type Spec = {
  id: string;
  file: string;
  table: string;
  owner: string;
  theme: string;
  titleZh: string;
  legalBasis: string;
  /** More DDL for the MariaDB table (a key when no field is one). */
  extraDdl?: string;
  fields: [name: string, titleZh: string, cls: Cls, ddl: string][];
};

const SPECS: Spec[] = [
  {
    id: 'demo-bd-e-licences',
    file: 'services-e-licences.v1.csv',
    table: 'sv_e_licences',
    owner: '50:big_data',
    theme: 'GOVE',
    titleZh: '电子证照库（居民身份证，演示）',
    legalBasis: '《国务院关于在线政务服务的若干规定》第十条',
    fields: [
      ['licence_no', '证照编号', I, 'varchar(40) primary key'],
      ['licence_type', '证照类型', 'public', 'varchar(20)'],
      ['holder_name', '持证人', P, 'varchar(40)'],
      ['holder_id', '持证人身份号码', P, 'varchar(18)'],
      ['valid_until', '有效期至', I, 'date'],
    ],
  },
  {
    id: 'demo-ps-household',
    file: 'services-household.v1.csv',
    table: 'sv_household',
    owner: '50:public_security',
    theme: 'JUST',
    titleZh: '户籍登记信息（演示）',
    legalBasis: '《中华人民共和国户口登记条例》第三条',
    fields: [
      ['household_no', '户号', I, 'varchar(30) primary key'],
      ['person_name', '姓名', P, 'varchar(40)'],
      ['person_id', '公民身份号码', P, 'varchar(18)'],
      ['relation', '与户主关系', I, 'varchar(20)'],
      ['address', '住址', P, 'varchar(120)'],
    ],
  },
  {
    id: 'demo-ca-marriage',
    file: 'services-marriage.v1.csv',
    table: 'sv_marriage',
    owner: '50:civil_affairs',
    theme: 'SOCI',
    titleZh: '婚姻登记信息（演示）',
    legalBasis: '《婚姻登记条例》第七条',
    fields: [
      ['cert_no', '结婚证字号', I, 'varchar(30) primary key'],
      ['husband_name', '男方姓名', P, 'varchar(40)'],
      ['husband_id', '男方身份号码', P, 'varchar(18)'],
      ['wife_name', '女方姓名', P, 'varchar(40)'],
      ['wife_id', '女方身份号码', P, 'varchar(18)'],
      ['registered_on', '登记日期', I, 'date'],
    ],
  },
  {
    id: 'demo-hc-births',
    file: 'services-births.v1.csv',
    table: 'sv_births',
    owner: '50:health',
    theme: 'HEAL',
    titleZh: '住院分娩及新生儿出生信息（演示）',
    legalBasis: '《中华人民共和国母婴保健法》第二十三条',
    fields: [
      ['record_no', '记录编号', I, 'varchar(30) primary key'],
      ['mother_id', '母亲身份号码', P, 'varchar(18)'],
      ['hospital', '助产机构', 'public', 'varchar(60)'],
      ['birth_time', '出生时间', I, 'varchar(30)'],
      ['newborn_sex', '新生儿性别', I, 'varchar(4)'],
      ['weight_g', '出生体重（克）', I, 'int'],
      ['hepb1_at', '乙肝疫苗首针接种时间', I, 'varchar(30)'],
      ['bcg_at', '卡介苗接种时间', I, 'varchar(30)'],
      ['delivery_cost_yuan', '分娩医疗费用（元）', I, 'double'],
      ['birth_registration_no', '生育登记号', I, 'varchar(30)'],
    ],
  },
  {
    id: 'demo-pnr-property',
    file: 'services-property.v1.csv',
    table: 'sv_property',
    owner: '50:planning_natural_resources',
    theme: 'GOVE',
    titleZh: '不动产登记信息（演示）',
    legalBasis: '《不动产登记暂行条例》第二十七条',
    fields: [
      ['cert_no', '不动产权证号', I, 'varchar(60) primary key'],
      ['owner_name', '权利人', P, 'varchar(40)'],
      ['owner_id', '权利人身份号码', P, 'varchar(18)'],
      ['address', '坐落', P, 'varchar(120)'],
      ['registered_on', '登记日期', I, 'date'],
    ],
  },
  {
    id: 'demo-hcs-rental',
    file: 'services-rental.v1.csv',
    table: 'sv_rental',
    owner: '50:housing_construction',
    theme: 'GOVE',
    titleZh: '房屋租赁登记备案信息（演示）',
    legalBasis: '《商品房屋租赁管理办法》第十四条',
    fields: [
      ['filing_no', '备案编号', I, 'varchar(40) primary key'],
      ['tenant_name', '承租人', P, 'varchar(40)'],
      ['tenant_id', '承租人身份号码', P, 'varchar(18)'],
      ['address', '房屋坐落', P, 'varchar(120)'],
      ['valid_until', '租期至', I, 'date'],
    ],
  },
  {
    id: 'demo-hrss-insured',
    file: 'services-insured.v1.csv',
    table: 'sv_insured',
    owner: '50:human_resources_social_security',
    theme: 'SOCI',
    titleZh: '社会保险参保信息（演示）',
    legalBasis: '《中华人民共和国社会保险法》第七十四条',
    extraDdl: 'primary key (person_id, insurance)',
    fields: [
      ['person_id', '身份号码', P, 'varchar(18)'],
      ['person_name', '姓名', P, 'varchar(40)'],
      ['insurance', '险种', 'public', 'varchar(20)'],
      ['employer', '参保单位', I, 'varchar(60)'],
      ['insured_since', '参保日期', I, 'date'],
    ],
  },
  {
    id: 'demo-mr-names',
    file: 'services-names.v1.csv',
    table: 'sv_names',
    owner: '50:market_regulation',
    theme: 'ECON',
    titleZh: '企业名称自主申报信息（演示）',
    legalBasis: '《企业名称登记管理规定》第十六条',
    fields: [
      ['declaration_no', '申报编号', I, 'varchar(30) primary key'],
      ['enterprise_name', '企业名称', 'public', 'varchar(60)'],
      ['applicant_id', '申报人身份号码', P, 'varchar(18)'],
      ['declared_on', '申报日期', I, 'date'],
    ],
  },
  {
    id: 'demo-mr-enterprises',
    file: 'services-enterprises.v1.csv',
    table: 'sv_enterprises',
    owner: '50:market_regulation',
    theme: 'ECON',
    titleZh: '市场主体登记及年报信息（演示）',
    legalBasis: '《中华人民共和国市场主体登记管理条例》第三十五条',
    fields: [
      ['uscc', '统一社会信用代码', 'public', 'varchar(18) primary key'],
      ['enterprise', '企业名称', 'public', 'varchar(60)'],
      ['legal_rep', '法定代表人', P, 'varchar(40)'],
      ['legal_rep_id', '法定代表人身份号码', P, 'varchar(18)'],
      ['status', '登记状态', 'public', 'varchar(10)'],
      ['annual_report_year', '最近年报年度', 'public', 'int'],
      ['abnormal_since', '列入经营异常名录日期', 'public', 'date'],
    ],
  },
  {
    id: 'demo-mr-penalties',
    file: 'services-mr-penalties.v1.csv',
    table: 'sv_mr_penalties',
    owner: '50:market_regulation',
    theme: 'ECON',
    titleZh: '市场监管行政处罚信息（演示）',
    legalBasis: '《市场监督管理行政处罚信息公示规定》第十四条',
    fields: [
      ['decision_no', '处罚决定书文号', 'public', 'varchar(40) primary key'],
      ['uscc', '统一社会信用代码', 'public', 'varchar(18)'],
      ['penalty', '处罚内容', 'public', 'varchar(120)'],
      ['fine_yuan', '罚款金额（元）', 'public', 'double'],
      ['decided_on', '处罚日期', 'public', 'date'],
      ['paid_on', '缴纳日期', I, 'date'],
      ['publicized_from', '公示起始日期', 'public', 'date'],
    ],
  },
  {
    id: 'demo-ee-penalties',
    file: 'services-ee-penalties.v1.csv',
    table: 'sv_ee_penalties',
    owner: '50:ecology_environment',
    theme: 'ENVI',
    titleZh: '生态环境行政处罚信息（演示）',
    legalBasis: '《生态环境行政处罚办法》第六十三条',
    fields: [
      ['decision_no', '处罚决定书文号', 'public', 'varchar(40) primary key'],
      ['uscc', '统一社会信用代码', 'public', 'varchar(18)'],
      ['penalty', '处罚内容', 'public', 'varchar(120)'],
      ['fine_yuan', '罚款金额（元）', 'public', 'double'],
      ['decided_on', '处罚日期', 'public', 'date'],
      ['paid_on', '缴纳日期', I, 'date'],
      ['rectified_on', '整改验收日期', I, 'date'],
    ],
  },
  {
    id: 'demo-tax-penalties',
    file: 'services-tax-penalties.v1.csv',
    table: 'sv_tax_penalties',
    owner: '50:taxation',
    theme: 'ECON',
    titleZh: '税务行政处罚及纳税信用信息（演示）',
    legalBasis: '《中华人民共和国税收征收管理法》；国家税务总局《纳税信用修复办法》',
    fields: [
      ['decision_no', '税务行政处罚决定书文号', 'public', 'varchar(40) primary key'],
      ['uscc', '统一社会信用代码', 'public', 'varchar(18)'],
      ['penalty', '处罚内容', 'public', 'varchar(120)'],
      ['tax_due_yuan', '补缴税款及滞纳金（元）', I, 'double'],
      ['fine_yuan', '罚款金额（元）', 'public', 'double'],
      ['decided_on', '处罚日期', 'public', 'date'],
      ['paid_on', '缴清日期', I, 'date'],
      ['credit_level', '纳税信用级别', I, 'varchar(2)'],
    ],
  },
];

/** The services stories' catalogue resources (source `sourceSystem`). */
export function servicesResources(sourceSystem: string): ResourceDto[] {
  return SPECS.map((s) => ({
    kind: 'dataset',
    synthetic: true,
    sourceSystem,
    id: s.id,
    theme: s.theme,
    titleZh: s.titleZh,
    descriptionZh: `${s.titleZh.replace('（演示）', '')}：政务服务“一件事一次办”经申请人授权调取（合成演示数据）。`,
    ownerDepartment: s.owner,
    updateFrequency: 'realtime',
    legalBasis: s.legalBasis,
    sharing: 'conditional',
    fields: s.fields.map(([name, titleZh, cls]) => ({ name, titleZh, class: cls })),
  }));
}

/** Each resource shared only for the once-only purpose, to the government service platform. */
export const SERVICES_ENTRIES: ListEntry[] = SPECS.map((s, i) => ({
  id: `NL-DEMO-SV-${i + 1}`,
  kind: 'conditional',
  basis:
    '《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》；《中华人民共和国个人信息保护法》第十三条',
  description: `${s.titleZh}仅向政务服务平台、为“一件事一次办”经申请人同意后共享（演示）`,
  scope: { resourceId: s.id, ownerDepartment: s.owner },
  conditions: { purposes: [ONCE_ONLY_PURPOSE], departments: [SERVICES_CONSUMER_DEPARTMENT] },
  maskClasses: [],
}));

/** The departments owning these resources (their generated department-wide personal-data entries are not seeded). */
export const SERVICES_OWNERS: ReadonlySet<string> = new Set(SPECS.map((s) => s.owner));

/** Tables of the demo source: catalogue id → file, table name and MariaDB DDL. */
export const SERVICES_TABLES: Record<string, { file: string; table: string; ddl: string }> =
  Object.fromEntries(
    SPECS.map((s) => [
      s.id,
      {
        file: s.file,
        table: s.table,
        ddl: [
          ...s.fields.map(([n, , , t]) => `${n} ${t}`),
          'synthetic boolean',
          ...(s.extraDdl ? [s.extraDdl] : []),
        ].join(', '),
      },
    ]),
  );

/** The demo's applicants: citizens' accounts without roles (password: the demo password). */
export const SERVICES_CITIZENS = {
  newborn: { username: 'citizen.liu', displayName: '刘晓雯（演示市民）' },
  business: { username: 'citizen.wang', displayName: '王志强（演示市民）' },
  credit: { username: 'citizen.zhou', displayName: '周建国（演示企业法定代表人）' },
} as const;

/** The desks' users: one liaison per department a demo bundle has a step at. */
export const SERVICES_DESKS = [
  '50:health',
  '50:public_security',
  '50:human_resources_social_security',
  '50:market_regulation',
  '50:big_data',
  '50:housing_construction',
  '50:ecology_environment',
  '50:development_reform',
  '50:taxation',
] as const;

/** The user of a department's desk: `liaison.50.<type>` (demo only). */
export function deskUser(department: string): string {
  return `liaison.${department.replace(':', '.')}`;
}

/** Demo staffing of the services stories: the citizens and a liaison per desk. Idempotent. */
export async function ensureServicesDemo(app: Pick<App, 'services'>, password: string): Promise<string> {
  const { identity } = app.services;
  for (const c of Object.values(SERVICES_CITIZENS))
    await identity.ensureUser({ ...c, password, roles: [], jurisdictionCode: '50', departmentCode: null });
  for (const d of SERVICES_DESKS)
    await identity.ensureUser({
      username: deskUser(d),
      displayName: `${d} 政务服务窗口（演示）`,
      password,
      roles: ['department_liaison'],
      jurisdictionCode: '50',
      departmentCode: d,
    });
  return `  services   ${Object.values(SERVICES_CITIZENS)
    .map((c) => c.username)
    .join(', ')}; desks ${SERVICES_DESKS.map(deskUser).join(', ')}`;
}
