import { z } from 'zod';
import type { AlgorithmVersion, LocalText } from './algorithms.schema.ts';
import { DECISION_TYPES, RISK_CATEGORIES } from './algorithms.schema.ts';

/** Languages of the public register. */
export const LANGS = ['zh-CN', 'en'] as const;
/** A language of the public register. */
export type Lang = (typeof LANGS)[number];

/** Statuses the public register shows: what is in use, approved, or was used. */
export const PUBLIC_STATUSES = ['in_use', 'approved', 'retired'] as const;

/** `?lang=` of the public register (zh-CN by default). */
export const PublicQuerySchema = z.object({ lang: z.enum(LANGS).default('zh-CN') });

const Assessment = z.strictObject({
  summary: z.string(),
  date: z.string().optional(),
  url: z.string().optional(),
});

/** One entry of the public register, in one language, without contacts' personal data. */
export const PublicAlgorithmSchema = z.strictObject({
  key: z.string(),
  version: z.string(),
  status: z.enum(PUBLIC_STATUSES),
  name: z.string(),
  description: z.string(),
  owner: z.strictObject({ departmentCode: z.string(), departmentName: z.string() }),
  contact: z.strictObject({ unit: z.string(), functionalEmail: z.string() }),
  purpose: z.string(),
  impact: z.string(),
  legalBasis: z.array(z.strictObject({ title: z.string(), url: z.string().optional() })),
  decisionType: z.enum(DECISION_TYPES),
  dataSources: z.array(z.strictObject({ name: z.string(), personalData: z.boolean() })),
  technicalOperation: z.string(),
  supplier: z.strictObject({ name: z.string(), kind: z.string() }),
  sourceLink: z.string().optional(),
  riskCategory: z.enum(RISK_CATEGORIES),
  humanOversight: z.string(),
  risks: z.array(z.strictObject({ risk: z.string(), mitigation: z.string() })),
  impactAssessment: Assessment.optional(),
  selfAssessment: Assessment.optional(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
});
/** One entry of the public register. */
export type PublicAlgorithm = z.infer<typeof PublicAlgorithmSchema>;

/** GET /api/v1/public/algorithms. */
export const PublicRegisterSchema = z.strictObject({
  lang: z.enum(LANGS),
  items: z.array(PublicAlgorithmSchema),
});

/** Projects a version onto the public register in one language; the named contact and phone never leave. */
export function toPublic(v: AlgorithmVersion, lang: Lang): PublicAlgorithm {
  const t = (text: LocalText) => (lang === 'en' ? text.en : text.zh);
  const r = v.register;
  const assessment = (a: typeof r.selfAssessment) =>
    a
      ? { summary: t(a.summary), ...(a.date ? { date: a.date } : {}), ...(a.url ? { url: a.url } : {}) }
      : undefined;
  return {
    key: v.key,
    version: v.version,
    status: v.status as PublicAlgorithm['status'],
    name: t(r.name),
    description: t(r.description),
    owner: { departmentCode: r.owner.departmentCode, departmentName: t(r.owner.departmentName) },
    contact: { unit: t(r.contact.unit), functionalEmail: r.contact.functionalEmail },
    purpose: t(r.purpose),
    impact: t(r.impact),
    legalBasis: r.legalBasis.map((l) => ({ title: t(l.title), ...(l.url ? { url: l.url } : {}) })),
    decisionType: r.decisionType,
    dataSources: r.dataSources.map((d) => ({ name: t(d.name), personalData: d.personalData })),
    technicalOperation: t(r.technicalOperation),
    supplier: { name: t(r.supplier.name), kind: r.supplier.kind },
    ...(r.sourceLink ? { sourceLink: r.sourceLink } : {}),
    riskCategory: r.riskCategory,
    humanOversight: t(r.humanOversight),
    risks: r.risks.map((k) => ({ risk: t(k.risk), mitigation: t(k.mitigation) })),
    ...(r.impactAssessment ? { impactAssessment: assessment(r.impactAssessment) } : {}),
    ...(r.selfAssessment ? { selfAssessment: assessment(r.selfAssessment) } : {}),
    ...(r.startDate ? { startDate: r.startDate } : {}),
    ...(r.endDate ? { endDate: r.endDate } : {}),
  };
}
