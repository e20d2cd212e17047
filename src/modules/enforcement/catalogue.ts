// The inspection catalogue (items per department, legal basis, published checklist) and the
// annual plans, read from versioned files (data/enforcement/) through a path passed in.
import fs from 'node:fs';
import { z } from 'zod';

const Text = { zh: z.string(), en: z.string() };
export const RISK_CLASSES = ['A', 'B', 'C', 'D'] as const;
/** A credit-risk class: A lowest risk (best credit) … D highest. */
export type RiskClass = (typeof RISK_CLASSES)[number];

export const CatalogueFileSchema = z.object({
  version: z.number().int(),
  effectiveFrom: z.string(),
  note: z.string(),
  industries: z.array(z.object({ code: z.string(), ...Text, weight: z.number().positive() })).min(1),
  items: z
    .array(
      z.object({
        id: z.string(),
        department: z.string(),
        ...Text,
        legalBasis: z.string().min(1),
        industries: z.array(z.string()).min(1),
        checklist: z.array(z.object({ id: z.string(), ...Text })).min(1),
      }),
    )
    .min(1),
});
/** The catalogue file. */
export type CatalogueFile = z.infer<typeof CatalogueFileSchema>;
/** One inspection item with its checklist. */
export type InspectionItem = CatalogueFile['items'][number];

export const PlansFileSchema = z.object({
  version: z.number().int(),
  year: z.number().int(),
  note: z.string(),
  quietPeriodDays: z.number().int().min(0),
  inspectorsPerInspection: z.number().int().min(1),
  ratePerYearByRiskClass: z.object({ A: z.number(), B: z.number(), C: z.number(), D: z.number() }),
  departments: z.array(z.object({ department: z.string(), items: z.array(z.string()).min(1) })).min(1),
});
/** The annual plans file. */
export type PlansFile = z.infer<typeof PlansFileSchema>;

/** The catalogue and plans together, with the lookups the draw, the merge and the records need. */
export class Catalogue {
  readonly items: Map<string, InspectionItem>;
  readonly file: CatalogueFile;
  readonly plans: PlansFile;
  constructor(file: CatalogueFile, plans: PlansFile) {
    this.file = file;
    this.plans = plans;
    this.items = new Map(file.items.map((i) => [i.id, i]));
    for (const p of plans.departments)
      for (const id of p.items) {
        const item = this.items.get(id);
        if (!item || item.department !== p.department)
          throw new Error(
            `plan of ${p.department} names item ${id}, which is not one of its catalogue items`,
          );
      }
  }

  /** Reads and checks both files. */
  static load(cataloguePath: string, plansPath: string): Catalogue {
    const read = (p: string) => JSON.parse(fs.readFileSync(p, 'utf8')) as unknown;
    return new Catalogue(
      CatalogueFileSchema.parse(read(cataloguePath)),
      PlansFileSchema.parse(read(plansPath)),
    );
  }

  /** The planned items a department inspects at an enterprise of this industry (empty: not in its population). */
  itemsFor(department: string, industry: string): InspectionItem[] {
    const plan = this.plans.departments.find((p) => p.department === department);
    return (plan?.items ?? [])
      .map((id) => this.items.get(id) as InspectionItem)
      .filter((i) => i.industries.includes(industry));
  }

  /** The checklist item ids of these inspection items, in catalogue order. */
  checklistOf(itemIds: string[]): string[] {
    return itemIds.flatMap((id) => this.items.get(id)?.checklist.map((c) => c.id) ?? []);
  }
}
