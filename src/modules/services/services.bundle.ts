import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Bundle definitions (一件事一次办): versioned data files under data/services/, validated at
 * start. A bad file is refused naming the file and the field; so is a definition whose parts do
 * not fit together (an unknown item, a cycle in the approval graph, an unknown department).
 */

const Code = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'lower-case letters, digits and - only');
const Department = z.string().regex(/^\d{2,12}:[a-z_]{2,40}$/, 'a department code such as 50:health');
const Text = z.string().min(1).max(200);

/** Where a material can come from: a catalogue resource of the data platform, the applicant, or another item's output. */
export const MaterialSourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('catalogue'),
    resourceId: z.string().min(1).max(120),
    /** The department holding it, as the catalogue names it (the gateway's answer is what counts). */
    owner: Department,
    /** The resource's field each form field is matched against (equality). */
    match: z.array(z.object({ field: z.string().min(1), formField: z.string().min(1) })).min(1),
    /** Fixed equality filters (e.g. the licence type). */
    where: z
      .array(z.object({ field: z.string().min(1), value: z.union([z.string(), z.number()]) }))
      .default([]),
    fields: z.array(z.string().min(1)).min(1),
  }),
  z.object({ kind: z.literal('applicant'), format: z.enum(['file', 'text']).default('file') }),
  z.object({ kind: z.literal('item'), item: Code }),
]);
export type MaterialSource = z.infer<typeof MaterialSourceSchema>;

const FormFieldSchema = z.object({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,40}$/),
  titleZh: Text,
  type: z.enum(['text', 'date', 'boolean', 'number']),
  required: z.boolean().default(true),
});

/** An eligibility rule over the form, told to the applicant before submitting. */
export const EligibilityRuleSchema = z.object({
  id: Code,
  field: z.string().min(1),
  op: z.enum(['eq', 'in', 'gte', 'lte', 'present', 'withinDays']),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).optional(),
  reasonZh: Text,
  reasonEn: Text,
});
export type EligibilityRule = z.infer<typeof EligibilityRuleSchema>;

export const BundleSchema = z.object({
  id: Code,
  version: z.number().int().min(1),
  titleZh: Text,
  titleEn: Text,
  /** The public guidance the bundle is modelled on, said plainly (not an official definition). */
  modelledOn: z.string().min(10).max(1000),
  /** Demo-organisation mappings and other notes. */
  notes: z.array(z.string().max(500)).default([]),
  form: z.array(FormFieldSchema).min(1),
  eligibility: z.array(EligibilityRuleSchema).default([]),
  items: z
    .array(
      z.object({
        code: Code,
        titleZh: Text,
        titleEn: Text,
        department: Department,
        /** Time limit of the item's approval step, in working days (calendar: src/platform/calendar). */
        timeLimitDays: z.number().int().min(1).max(60),
        /** Items that must be approved first (the approval graph; items without `after` start in parallel). */
        after: z.array(Code).default([]),
        /** Material codes the item needs. */
        needs: z.array(Code).min(1),
        /** What its approval produces (a material another item may need). */
        output: z.object({ code: Code, titleZh: Text, titleEn: Text }),
        /**
         * The applicant must come in person for this item, and why (e.g. a bank verifies the legal
         * representative face to face). Absent: done entirely online. Optional, so a file without it
         * keeps its hash (a recorded version stays the same version).
         */
        inPerson: z.object({ reasonZh: Text, reasonEn: Text }).optional(),
      }),
    )
    .min(1),
  materials: z
    .array(
      z.object({
        code: Code,
        titleZh: Text,
        titleEn: Text,
        /** Tried in order: the first catalogue source that holds it fills it; else the next; the applicant last. */
        sources: z.array(MaterialSourceSchema).min(1),
      }),
    )
    .min(1),
});
/** A bundle definition. */
export type Bundle = z.infer<typeof BundleSchema>;
export type BundleItem = Bundle['items'][number];
export type BundleMaterial = Bundle['materials'][number];

/** The default directory of bundle files. */
export const DEFAULT_BUNDLES_DIR = path.resolve(import.meta.dirname, '../../../data/services');

/** A loaded bundle with the hash of its definition (a running application keeps the version it started with). */
export interface LoadedBundle {
  file: string;
  bundle: Bundle;
  hash: string;
}

/** Thrown for a file that does not load: names the file and the field. */
export class BundleFileError extends Error {
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, message: string) {
    super(`bundle file ${file}: ${field}: ${message}`);
    this.file = file;
    this.field = field;
  }
}

/** Reads every `<id>.v<N>.json` in the directory, validated; the file name must agree with id and version. */
export function loadBundleFiles(
  dir = DEFAULT_BUNDLES_DIR,
  departments?: ReadonlySet<string>,
): LoadedBundle[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.v\d+\.json$/.test(f))
    .sort();
  return files.map((file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new BundleFileError(file, '(json)', (err as Error).message);
    }
    return { file, ...parseBundle(file, json, departments) };
  });
}

/** Validates one definition: shape by zod, then the references between its parts. */
export function parseBundle(
  file: string,
  json: unknown,
  departments?: ReadonlySet<string>,
): { bundle: Bundle; hash: string } {
  const parsed = BundleSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BundleFileError(file, issue?.path.join('.') || '(root)', issue?.message ?? 'invalid');
  }
  const b = parsed.data;
  const m = /^(.+)\.v(\d+)\.json$/.exec(file);
  if (m && (m[1] !== b.id || Number(m[2]) !== b.version))
    throw new BundleFileError(file, 'id', `file name says ${m[1]} v${m[2]}, the file ${b.id} v${b.version}`);
  const fail = (field: string, message: string): never => {
    throw new BundleFileError(file, field, message);
  };
  const items = new Map(b.items.map((i) => [i.code, i]));
  const materials = new Set(b.materials.map((x) => x.code));
  const formFields = new Set(b.form.map((f) => f.name));
  if (items.size !== b.items.length) fail('items', 'duplicate item code');
  if (materials.size !== b.materials.length) fail('materials', 'duplicate material code');
  b.items.forEach((item, i) => {
    if (departments && !departments.has(item.department))
      fail(`items.${i}.department`, `unknown department ${item.department}`);
    item.after.forEach((a, j) => {
      if (!items.has(a)) fail(`items.${i}.after.${j}`, `unknown item ${a}`);
    });
    item.needs.forEach((n, j) => {
      if (!materials.has(n)) fail(`items.${i}.needs.${j}`, `unknown material ${n}`);
    });
  });
  for (const [i, mat] of b.materials.entries())
    for (const [j, s] of mat.sources.entries()) {
      if (s.kind === 'item') {
        const producer = items.get(s.item);
        if (!producer) fail(`materials.${i}.sources.${j}.item`, `unknown item ${s.item}`);
        else if (producer.output.code !== mat.code)
          fail(
            `materials.${i}.sources.${j}.item`,
            `item ${s.item} outputs ${producer.output.code}, not ${mat.code}`,
          );
      }
      if (s.kind === 'catalogue')
        for (const [k, x] of s.match.entries())
          if (!formFields.has(x.formField))
            fail(`materials.${i}.sources.${j}.match.${k}.formField`, `not a form field: ${x.formField}`);
    }
  // An item needing another's output must come after it (directly or not), and the graph has no cycle.
  if (!topologicalOrder(b.items)) fail('items', 'the approval graph has a cycle');
  for (const [i, item] of b.items.entries())
    for (const [j, n] of item.needs.entries()) {
      const producer = b.items.find((p) => p.output.code === n);
      if (producer && !precedes(b.items, producer.code, item.code))
        fail(
          `items.${i}.needs.${j}`,
          `${n} is the output of ${producer.code}, which ${item.code} does not come after`,
        );
    }
  b.eligibility.forEach((r, i) => {
    if (!formFields.has(r.field)) fail(`eligibility.${i}.field`, `not a form field: ${r.field}`);
  });
  const hash = createHash('sha256').update(JSON.stringify(b)).digest('hex');
  return { bundle: b, hash };
}

function topologicalOrder(items: BundleItem[]): string[] | undefined {
  const done: string[] = [];
  const left = new Map(items.map((i) => [i.code, new Set(i.after)]));
  while (left.size) {
    const ready = [...left].filter(([, deps]) => [...deps].every((d) => done.includes(d))).map(([c]) => c);
    if (!ready.length) return undefined;
    for (const c of ready) {
      done.push(c);
      left.delete(c);
    }
  }
  return done;
}

function precedes(items: BundleItem[], before: string, code: string): boolean {
  const item = items.find((i) => i.code === code);
  return !!item && item.after.some((a) => a === before || precedes(items, before, a));
}

/**
 * Refuses a loaded bundle whose items name a department the organisation does not have (naming
 * the file and the field).
 */
export function checkDepartments(files: LoadedBundle[], departments: ReadonlySet<string>): void {
  for (const f of files)
    for (const [i, item] of f.bundle.items.entries())
      if (!departments.has(item.department))
        throw new BundleFileError(f.file, `items.${i}.department`, `unknown department ${item.department}`);
}

/** The departments a bundle joins: the items' desks and the owners of the catalogue resources it reads. */
export function bundleDepartments(b: Bundle): string[] {
  const set = new Set(b.items.map((i) => i.department));
  for (const m of b.materials) for (const s of m.sources) if (s.kind === 'catalogue') set.add(s.owner);
  return [...set].sort();
}
