// Synthetic demo catalogue: deterministic (seeded PRNG), every generated resource flagged
// `synthetic: true`. Titles, fields and the negative list are invented from templates; the legal
// bases name real Chinese laws and regulations but their assignment to resources is made up.
import type { FieldClass, FieldDto, ListEntry, ResourceDto, Sharing } from './datahub.schema.ts';

/** A department that owns resources (from the organisation module). */
export interface OwnerDepartment {
  code: string;
  type: string;
  name: string;
}

/** Theme (EU data-theme code) and subject nouns per department type. */
const PROFILES: Record<string, { theme: string; subjects: string[]; system: string }> = {
  development_reform: {
    theme: 'ECON',
    subjects: ['投资项目', '价格监测', '重点项目', '能耗指标'],
    system: '投资项目在线审批监管平台',
  },
  education: { theme: 'EDUC', subjects: ['学校', '学籍', '招生计划', '校车'], system: '教育管理信息系统' },
  economy_information: {
    theme: 'ECON',
    subjects: ['工业企业', '电力负荷', '技术改造', '软件企业'],
    system: '工业运行监测平台',
  },
  public_security: {
    theme: 'JUST',
    subjects: ['户籍人口', '流动人口', '治安案件', '交通违法', '机动车'],
    system: '公安云',
  },
  civil_affairs: {
    theme: 'SOCI',
    subjects: ['低保对象', '养老机构', '社会组织', '婚姻登记'],
    system: '民政一体化平台',
  },
  justice: {
    theme: 'JUST',
    subjects: ['人民调解', '社区矫正', '律师事务所', '法律援助'],
    system: '司法行政平台',
  },
  human_resources_social_security: {
    theme: 'SOCI',
    subjects: ['参保人员', '就业登记', '职业技能', '劳动仲裁'],
    system: '人社一体化平台',
  },
  planning_natural_resources: {
    theme: 'REGI',
    subjects: ['不动产登记', '规划许可', '土地供应', '地质灾害点'],
    system: '国土空间基础信息平台',
  },
  ecology_environment: {
    theme: 'ENVI',
    subjects: ['排污许可', '环境监测', '环境执法', '危险废物'],
    system: '生态环境大数据平台',
  },
  housing_construction: {
    theme: 'REGI',
    subjects: ['施工许可', '建筑企业', '物业项目', '住房保障'],
    system: '住建监管平台',
  },
  urban_management: {
    theme: 'GOVE',
    subjects: ['市政设施', '占道经营', '环卫作业', '户外广告'],
    system: '数字城管平台',
  },
  transport: {
    theme: 'TRAN',
    subjects: ['公交线路', '道路运输', '出租汽车', '航道'],
    system: '交通运行监测平台',
  },
  water_resources: {
    theme: 'ENVI',
    subjects: ['河道断面', '取水许可', '水库', '河长巡河'],
    system: '智慧水利平台',
  },
  agriculture_rural: {
    theme: 'AGRI',
    subjects: ['耕地', '农产品检测', '农业经营主体', '动物防疫'],
    system: '农业农村大数据平台',
  },
  commerce: {
    theme: 'ECON',
    subjects: ['商贸企业', '外资项目', '消费市场', '商圈客流'],
    system: '商务运行平台',
  },
  culture_tourism: {
    theme: 'EDUC',
    subjects: ['景区', '旅行社', '文化场馆', '游客流量'],
    system: '智慧文旅平台',
  },
  health: {
    theme: 'HEAL',
    subjects: ['医疗机构', '执业医师', '传染病报告', '疫苗接种'],
    system: '全民健康信息平台',
  },
  emergency_management: {
    theme: 'GOVE',
    subjects: ['应急预案', '危化企业', '救援队伍', '灾情报送'],
    system: '应急指挥平台',
  },
  market_regulation: {
    theme: 'ECON',
    subjects: ['市场主体', '食品经营许可', '特种设备', '行政处罚'],
    system: '市场监管一体化平台',
  },
  forestry: { theme: 'AGRI', subjects: ['林地', '森林防火', '古树名木', '野生动物'], system: '林业资源平台' },
  big_data: {
    theme: 'TECH',
    subjects: ['政务云资源', '数据共享', '电子证照', '数据目录'],
    system: '政务数据共享交换平台',
  },
  taxation: { theme: 'ECON', subjects: ['纳税人登记', '税收征管', '纳税信用', '发票'], system: '金税工程' },
  meteorology: { theme: 'ENVI', subjects: ['气象观测', '天气预警', '降水', '雷电'], system: '气象业务平台' },
  fire_rescue: {
    theme: 'GOVE',
    subjects: ['消防重点单位', '火灾', '消防设施', '消防检查'],
    system: '消防物联网平台',
  },
};
const FALLBACK = { theme: 'GOVE', subjects: ['政务事项', '办件', '公文'], system: '政务服务平台' };

const SUFFIXES = ['信息', '登记信息', '统计数据', '台账', '名录', '查询接口', '核验接口', '明细'];
const FREQUENCIES = [
  'realtime',
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'yearly',
  'irregular',
] as const;
const PURPOSES = ['law_enforcement', 'public_service', 'emergency_response', 'statistics', 'supervision'];

/** Fields every resource may carry, by class. */
const FIELD_POOL: [string, string, FieldClass][] = [
  ['name', '名称', 'public'],
  ['status', '状态', 'public'],
  ['updated_on', '更新日期', 'public'],
  ['district', '所属区县', 'public'],
  ['credit_code', '统一社会信用代码', 'public'],
  ['address', '地址', 'internal'],
  ['location', '坐标', 'internal'],
  ['remarks', '备注', 'internal'],
  ['amount', '金额', 'sensitive'],
  ['inspection_result', '检查结果', 'sensitive'],
  ['person_name', '姓名', 'personal'],
  ['id_number', '身份证号', 'personal'],
  ['contact_phone', '联系电话', 'personal'],
  ['case_detail', '案件详情', 'restricted'],
];

/** Real laws the synthetic entries cite. */
export const BASES = [
  '《中华人民共和国个人信息保护法》第三十四条',
  '《中华人民共和国数据安全法》第二十一条',
  '《政务信息资源共享管理暂行办法》（国发〔2016〕51号）第九条',
  '《中华人民共和国保守国家秘密法》',
  '《中华人民共和国居民身份证法》第十九条',
];

/** A small seeded PRNG (mulberry32): the same seed gives the same catalogue. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The synthetic catalogue and the negative list that goes with it. */
export function generateCatalogue(options: {
  departments: readonly OwnerDepartment[];
  count: number;
  seed?: number;
}): { resources: ResourceDto[]; entries: ListEntry[] } {
  const random = prng(options.seed ?? 20261207);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const depts = options.departments;
  const entries: ListEntry[] = [];
  let n = 0;
  const nextId = () => `NL-${String(++n).padStart(4, '0')}`;
  // Department-wide entries first: personal data of some owners only for named purposes, with approval.
  for (const d of depts) {
    if (random() < 0.6) {
      entries.push({
        id: nextId(),
        kind: 'conditional',
        basis: BASES[0] as string,
        description: `${d.name}的个人信息仅在法定职责范围内经审批共享（合成）`,
        scope: { ownerDepartment: d.code, fieldClass: 'personal' },
        conditions: {
          purposes: [pick(PURPOSES), pick(PURPOSES)].filter((p, i, a) => a.indexOf(p) === i),
          ownerApproval: true,
        },
        maskClasses: ['sensitive'],
      });
    }
    if (random() < 0.5) {
      entries.push({
        id: nextId(),
        kind: 'not_shared',
        basis: BASES[3] as string,
        description: `${d.name}的限制级数据不予共享（合成）`,
        scope: { ownerDepartment: d.code, fieldClass: 'restricted' },
        maskClasses: [],
      });
    }
  }
  const resources: ResourceDto[] = [];
  for (let i = 0; i < options.count; i++) {
    const d = depts[i % depts.length] as OwnerDepartment;
    const profile = PROFILES[d.type] ?? FALLBACK;
    const subject = pick(profile.subjects);
    const suffix = pick(SUFFIXES);
    const kind = suffix.endsWith('接口') ? 'interface' : 'dataset';
    const fields = pickFields(random);
    const id = `res-${String(i + 1).padStart(5, '0')}`;
    const roll = random();
    let sharing: Sharing = 'unconditional';
    if (roll < 0.015) {
      sharing = 'not_shared';
      entries.push({
        id: nextId(),
        kind: 'not_shared',
        basis: pick(BASES),
        description: `${subject}${suffix}不予共享（合成）`,
        scope: { resourceId: id, ownerDepartment: d.code },
        maskClasses: [],
      });
    } else if (roll < 0.03) {
      sharing = 'conditional';
      entries.push({
        id: nextId(),
        kind: 'conditional',
        basis: pick(BASES),
        description: `${subject}${suffix}有条件共享（合成）`,
        scope: { resourceId: id, ownerDepartment: d.code },
        conditions: {
          purposes: [pick(PURPOSES)],
          departments: [pick(depts).code, pick(depts).code].filter((c, k, a) => a.indexOf(c) === k),
          ...(random() < 0.5 ? { ownerApproval: true } : {}),
          ...(random() < 0.3 ? { validUntil: '2027-12-31T23:59:59+08:00' } : {}),
        },
        maskClasses: [],
      });
    } else if (fields.some((f) => f.class === 'personal' || f.class === 'restricted')) {
      sharing = 'conditional';
    }
    resources.push({
      id,
      kind,
      titleZh: `${d.name}${subject}${suffix}`,
      descriptionZh: `合成演示数据：${d.name}${subject}${suffix}，来自${profile.system}。`,
      ownerDepartment: d.code,
      theme: profile.theme,
      sourceSystem: profile.system,
      updateFrequency: kind === 'interface' ? 'realtime' : pick(FREQUENCIES),
      legalBasis: pick(BASES),
      sharing,
      fields,
      synthetic: true,
    });
  }
  return { resources, entries };
}

function pickFields(random: () => number): FieldDto[] {
  const fields: FieldDto[] = [];
  for (const [name, titleZh, cls] of FIELD_POOL) {
    const p = cls === 'public' ? 0.7 : cls === 'restricted' ? 0.04 : 0.3;
    if (random() < p) fields.push({ name, titleZh, class: cls });
  }
  if (!fields.length) fields.push({ name: 'name', titleZh: '名称', class: 'public' });
  return fields;
}

/** The platform's own data (not synthetic: these are citybrain's tables), owned by the big data bureau. */
export function platformResources(owner: string): ResourceDto[] {
  const base = {
    ownerDepartment: owner,
    theme: 'TECH',
    sourceSystem: 'citybrain',
    legalBasis: '《政务信息资源共享管理暂行办法》（国发〔2016〕51号）第五条',
    synthetic: false,
  };
  const f = (name: string, titleZh: string, cls: FieldClass = 'public'): FieldDto => ({
    name,
    titleZh,
    class: cls,
  });
  return [
    {
      ...base,
      id: 'cb-devices',
      kind: 'dataset',
      titleZh: '城市感知设备目录',
      descriptionZh: '物联网感知设备的登记信息。',
      updateFrequency: 'daily',
      sharing: 'unconditional',
      fields: [
        f('device_id', '设备编号'),
        f('kind', '设备类型'),
        f('name', '设备名称'),
        // The place of each row: district and street departments get only their jurisdiction's rows.
        { ...f('jurisdiction_code', '行政区划代码'), scope: true },
        f('department_code', '责任部门'),
        f('status', '状态'),
        f('location', '坐标', 'internal'),
        f('created_at', '登记时间'),
        f('last_seen_at', '最近上报时间'),
      ],
    },
    {
      ...base,
      id: 'cb-readings',
      kind: 'interface',
      titleZh: '感知设备实时读数接口',
      descriptionZh: '设备上报的监测读数。',
      updateFrequency: 'realtime',
      sharing: 'unconditional',
      fields: [
        f('device_id', '设备编号'),
        f('kind', '设备类型'),
        // The place of each row: district and street departments get only their jurisdiction's rows.
        { ...f('jurisdiction_code', '行政区划代码'), scope: true },
        f('metric', '指标'),
        f('value', '数值'),
        f('at', '时间'),
      ],
    },
    {
      ...base,
      id: 'cb-events',
      kind: 'dataset',
      titleZh: '城市事件',
      descriptionZh: '事件中心受理、派遣、办结的城市事件。',
      updateFrequency: 'realtime',
      sharing: 'conditional',
      fields: [
        f('event_id', '事件编号'),
        f('category', '类别'),
        f('status', '状态'),
        f('priority', '优先级'),
        // The place of each row: district and street departments get only their jurisdiction's rows.
        { ...f('jurisdiction_code', '行政区划代码'), scope: true },
        f('address', '地址', 'internal'),
        // Citizens' own words: they name people and give phone numbers.
        f('description', '事件描述（市民原话）', 'personal'),
        f('created_at', '受理时间'),
        f('closed_at', '办结时间'),
      ],
    },
    {
      ...base,
      id: 'cb-alerts',
      kind: 'dataset',
      titleZh: '感知告警',
      descriptionZh: '规则引擎产生的告警。',
      updateFrequency: 'realtime',
      sharing: 'unconditional',
      fields: [
        f('alert_id', '告警编号'),
        f('rule', '规则'),
        f('category', '类别'),
        f('severity', '级别'),
        f('status', '状态'),
        f('device_id', '设备编号'),
        // The place of each row: district and street departments get only their jurisdiction's rows.
        { ...f('jurisdiction_code', '行政区划代码'), scope: true },
        f('issued_at', '告警时间'),
      ],
    },
    {
      ...base,
      id: 'cb-kpis',
      kind: 'interface',
      titleZh: '城市运行指标接口',
      descriptionZh: '事件处置、感知与协同的运行指标。',
      updateFrequency: 'hourly',
      sharing: 'unconditional',
      fields: [
        f('kpi', '指标'),
        f('value', '数值'),
        f('period', '周期'),
        f('period_start', '周期起'),
        f('period_end', '周期止'),
      ],
    },
  ];
}
