import { z } from 'zod';
import { type Bundle, bundleDepartments, type EligibilityRule } from './services.bundle.ts';

/** The words the applicant agrees to before any department's record is read (stored with the application). */
export const CONSENT_TEXT =
  '本人同意政务服务平台为办理本事项，经数据共享交换平台调取下列部门持有的本人（及家庭成员、本企业）相关信息，并在使用前向本人展示确认。';
/** The same consent in English, for the reader (the Chinese words are what is stored). */
export const CONSENT_TEXT_EN =
  'I agree that, for this matter, the government service platform reads through the data-sharing exchange the records about me (and my family members or my enterprise) held by the departments below, and shows them to me before they are used.';

const Title = { titleZh: z.string(), titleEn: z.string() };

const SourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('catalogue'),
    resourceId: z.string().describe('the data platform’s catalogue resource read through the gateway'),
    owner: z.string().describe('the department holding it'),
    fields: z.array(z.string()).describe('the resource’s fields used'),
  }),
  z.object({ kind: z.literal('applicant'), format: z.enum(['file', 'text']) }),
  z.object({ kind: z.literal('item'), item: z.string().describe('the item whose output it is') }),
]);

/** A bundle's whole definition as the portal and the desks read it. */
export const BundleDefinitionSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    current: z.boolean().describe('whether new applications start on this version'),
    ...Title,
    modelledOn: z.string(),
    notes: z.array(z.string()),
    departments: z.array(z.string()).describe('item desks and the owners of the records read'),
    form: z.array(
      z.object({
        name: z.string(),
        titleZh: z.string(),
        type: z.enum(['text', 'date', 'boolean', 'number']),
        required: z.boolean(),
      }),
    ),
    eligibility: z.array(
      z.object({
        id: z.string(),
        field: z.string(),
        op: z.enum(['eq', 'in', 'gte', 'lte', 'present', 'withinDays']),
        value: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).nullable(),
        ruleZh: z.string().describe('the rule in words, e.g. 出生日期 在最近 365 天内'),
        ruleEn: z.string(),
        reasonZh: z.string().describe('what the applicant is told when the form fails it'),
        reasonEn: z.string(),
      }),
    ),
    items: z.array(
      z.object({
        code: z.string(),
        ...Title,
        department: z.string(),
        timeLimitDays: z.number().int().describe('working days on the city’s calendar'),
        after: z.array(z.string()).describe('items approved before this one'),
        needs: z.array(z.string()),
        output: z.object({ code: z.string(), ...Title }),
        inPerson: z
          .object({ reasonZh: z.string(), reasonEn: z.string() })
          .nullable()
          .describe('the applicant must come to a counter for this item, and why; null: fully online'),
      }),
    ),
    steps: z
      .array(z.array(z.string()))
      .describe(
        'the approval graph in steps: the items of one step are approved in parallel, the steps one after another',
      ),
    materials: z.array(
      z.object({
        code: z.string(),
        ...Title,
        sources: z.array(SourceSchema).describe('tried in order; the first that holds it fills it'),
      }),
    ),
    consent: z.object({
      textZh: z.string().describe('the words the applicant agrees to (stored with the application)'),
      textEn: z.string(),
      departments: z.array(z.string()).describe('the departments whose records are read with consent'),
    }),
  })
  .meta({ id: 'ServicesBundleDefinition' });
export type BundleDefinitionDto = z.infer<typeof BundleDefinitionSchema>;

/** A bundle's definition for the faces: its parts, the graph in steps, rules in words, the consent. */
export function bundleDefinition(b: Bundle, current: boolean): BundleDefinitionDto {
  const titles = new Map(b.form.map((f) => [f.name, f.titleZh]));
  const owners = new Set<string>();
  for (const m of b.materials) for (const s of m.sources) if (s.kind === 'catalogue') owners.add(s.owner);
  return {
    id: b.id,
    version: b.version,
    current,
    titleZh: b.titleZh,
    titleEn: b.titleEn,
    modelledOn: b.modelledOn,
    notes: b.notes,
    departments: bundleDepartments(b),
    form: b.form.map((f) => ({ name: f.name, titleZh: f.titleZh, type: f.type, required: f.required })),
    eligibility: b.eligibility.map((r) => ({
      id: r.id,
      field: r.field,
      op: r.op,
      value: r.value ?? null,
      ...ruleInWords(r, titles.get(r.field) ?? r.field),
      reasonZh: r.reasonZh,
      reasonEn: r.reasonEn,
    })),
    items: b.items.map((i) => ({ ...i, output: { ...i.output }, inPerson: i.inPerson ?? null })),
    steps: approvalSteps(b),
    materials: b.materials.map((m) => ({
      code: m.code,
      titleZh: m.titleZh,
      titleEn: m.titleEn,
      sources: m.sources.map((s) =>
        s.kind === 'catalogue'
          ? { kind: s.kind, resourceId: s.resourceId, owner: s.owner, fields: s.fields }
          : s.kind === 'applicant'
            ? { kind: s.kind, format: s.format }
            : { kind: s.kind, item: s.item },
      ),
    })),
    consent: { textZh: CONSENT_TEXT, textEn: CONSENT_TEXT_EN, departments: [...owners].sort() },
  };
}

/** Step n holds the items whose longest chain of predecessors is n long (the graph has no cycle: checked at load). */
export function approvalSteps(b: Bundle): string[][] {
  const depth = new Map<string, number>();
  const of = (code: string): number => {
    const known = depth.get(code);
    if (known !== undefined) return known;
    const item = b.items.find((i) => i.code === code);
    const d = Math.max(-1, ...(item?.after ?? []).map(of)) + 1;
    depth.set(code, d);
    return d;
  };
  const out: string[][] = [];
  for (const item of b.items) {
    const d = of(item.code);
    out[d] = [...(out[d] ?? []), item.code];
  }
  return out.filter(Boolean);
}

/** An eligibility rule said in words, with the form field's title. */
function ruleInWords(r: EligibilityRule, title: string): { ruleZh: string; ruleEn: string } {
  const v = r.value;
  const shown = Array.isArray(v) ? v.join(', ') : String(v);
  const yesNo = (zh: boolean) =>
    v === true ? (zh ? '是' : 'yes') : v === false ? (zh ? '否' : 'no') : shown;
  switch (r.op) {
    case 'eq':
      return { ruleZh: `${title} 为 ${yesNo(true)}`, ruleEn: `${r.field} is ${yesNo(false)}` };
    case 'in':
      return { ruleZh: `${title} 为 ${shown} 之一`, ruleEn: `${r.field} is one of ${shown}` };
    case 'gte':
      return { ruleZh: `${title} 不小于 ${shown}`, ruleEn: `${r.field} is at least ${shown}` };
    case 'lte':
      return { ruleZh: `${title} 不大于 ${shown}`, ruleEn: `${r.field} is at most ${shown}` };
    case 'present':
      return { ruleZh: `${title} 已填写`, ruleEn: `${r.field} is given` };
    case 'withinDays':
      return {
        ruleZh: `${title} 在最近 ${shown} 天内`,
        ruleEn: `${r.field} is within the last ${shown} days`,
      };
  }
}
