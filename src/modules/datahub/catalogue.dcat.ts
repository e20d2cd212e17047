import type { ResourceDto } from './datahub.schema.ts';

const THEME_BASE = 'http://publications.europa.eu/resource/authority/data-theme/';
const ACCESS_BASE = 'http://publications.europa.eu/resource/authority/access-right/';
const FREQ_BASE = 'http://publications.europa.eu/resource/authority/frequency/';

/** The JSON-LD context of the export: DCAT 3 and Dublin Core terms, as DCAT-AP 3 uses them. */
export const DCAT_CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  cb: 'https://citybrain.example/ns/datahub#',
} as const;

// China's sharing classes mapped to the EU access-rights authority table.
const ACCESS: Record<ResourceDto['sharing'], string> = {
  unconditional: 'PUBLIC',
  conditional: 'RESTRICTED',
  not_shared: 'NON_PUBLIC',
};
const FREQUENCY: Record<ResourceDto['updateFrequency'], string> = {
  realtime: 'UPDATE_CONT',
  hourly: 'HOURLY',
  daily: 'DAILY',
  weekly: 'WEEKLY',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  yearly: 'ANNUAL',
  irregular: 'IRREG',
};

/** The catalogue as a DCAT-AP 3 JSON-LD document: datasets as dcat:Dataset, interfaces as dcat:DataService. */
export function toDcat(
  resources: readonly ResourceDto[],
  options: {
    baseUrl: string;
    /** Department code of the catalogue's publisher (the data authority's bureau). */
    publisher: string;
    departmentName: (code: string) => string;
    title?: string;
  },
): Record<string, unknown> {
  const iri = (kind: string, id: string) => `${options.baseUrl}/${kind}/${encodeURIComponent(id)}`;
  const publishers = new Map<string, Record<string, unknown>>();
  const publisher = (code: string) => {
    let p = publishers.get(code);
    if (!p) {
      p = {
        '@id': iri('departments', code),
        '@type': 'foaf:Agent',
        'foaf:name': { '@value': options.departmentName(code), '@language': 'zh' },
      };
      publishers.set(code, p);
    }
    return { '@id': p['@id'] };
  };
  const datasets: unknown[] = [];
  const services: unknown[] = [];
  for (const r of resources) {
    const node = {
      '@id': iri('resources', r.id),
      '@type': r.kind === 'interface' ? 'dcat:DataService' : 'dcat:Dataset',
      'dct:identifier': r.id,
      'dct:title': { '@value': r.titleZh, '@language': 'zh' },
      'dct:description': { '@value': r.descriptionZh, '@language': 'zh' },
      'dct:publisher': publisher(r.ownerDepartment),
      'dcat:theme': { '@id': `${THEME_BASE}${r.theme}` },
      'dct:accessRights': { '@id': `${ACCESS_BASE}${ACCESS[r.sharing]}` },
      'dct:accrualPeriodicity': { '@id': `${FREQ_BASE}${FREQUENCY[r.updateFrequency]}` },
      'cb:sharing': r.sharing,
      'cb:legalBasis': r.legalBasis,
      'cb:sourceSystem': r.sourceSystem,
      'cb:synthetic': r.synthetic,
    };
    if (r.kind === 'interface') {
      services.push({ ...node, 'dcat:endpointURL': { '@id': iri('interfaces', r.id) } });
    } else {
      datasets.push(node);
    }
  }
  const catalog = {
    '@id': `${options.baseUrl}/catalogue`,
    '@type': 'dcat:Catalog',
    'dct:title': { '@value': options.title ?? '城市数据资源目录', '@language': 'zh' },
    'dct:description': {
      '@value': '各部门数据资源（数据集与接口）的目录，含共享属性与法律依据；演示数据为合成数据。',
      '@language': 'zh',
    },
    'dct:publisher': publisher(options.publisher),
    'dcat:dataset': datasets,
    'dcat:service': services,
  };
  return { '@context': DCAT_CONTEXT, '@graph': [catalog, ...publishers.values()] };
}
