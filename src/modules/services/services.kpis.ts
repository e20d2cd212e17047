import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../platform/db/database.ts';
import type { Bundle } from './services.bundle.ts';

/** Window of the KPIs: submissions in [from, to); default the 30 days up to now. */
export const KpiQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type KpiQuery = z.infer<typeof KpiQuerySchema>;

export const ServicesKpisSchema = z.object({
  from: z.string(),
  to: z.string(),
  bundles: z.array(
    z.object({
      bundleId: z.string(),
      applications: z.number().int(),
      completed: z.number().int(),
      rejected: z.number().int(),
      avgLeadTimeMinutes: z.number().nullable().describe('submission to the last approval, completed ones'),
      materials: z.number().int(),
      shareFromSharedData: z.number().nullable().describe('materials filled from departments’ records'),
      shareFromCitizen: z.number().nullable(),
      shareFullyOnline: z
        .number()
        .nullable()
        .describe(
          'completed applications whose bundle version has no in-person item (every material is given online or read from records)',
        ),
      avgTripsSaved: z
        .number()
        .nullable()
        .describe(
          'per completed application: one counter visit per item without the bundle, minus 0 (fully online) or 1 (one visit to the integrated counter) with it',
        ),
    }),
  ),
  departments: z.array(
    z.object({
      department: z.string(),
      decided: z.number().int(),
      onTime: z.number().int().describe('decided by the due time'),
      shareOnTime: z.number().nullable(),
      open: z.number().int(),
      overdue: z.number().int().describe('open and past the due time'),
      escalated: z.number().int(),
    }),
  ),
});
export type ServicesKpis = z.infer<typeof ServicesKpisSchema>;

const DAY_MS = 86_400_000;
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

/** The recorded bundle versions, to read each application's items as they were when it started. */
export interface BundleVersions {
  find(id: string, version: number): Bundle | undefined;
}

/**
 * Trips to counters an application of this version needs: without the bundle, one per item (to
 * that item's department); with it, none when no item needs the applicant in person, else one
 * (the integrated counter takes every in-person item in one visit). Collecting paper outputs is
 * not counted: the outputs are electronic certificates.
 */
export function tripsOf(bundle: Bundle): { without: number; with: number; fullyOnline: boolean } {
  const inPerson = bundle.items.some((i) => i.inPerson);
  return { without: bundle.items.length, with: inPerson ? 1 : 0, fullyOnline: !inPerson };
}

/** The figures of the applications submitted in the window, aggregated in SQL: per bundle and per desk. */
export async function servicesKpis(
  db: Db,
  now: Date,
  query: KpiQuery,
  versions: BundleVersions,
): Promise<ServicesKpis> {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
  const apps = await sql<{
    bundle_id: string;
    applications: string;
    completed: string;
    rejected: string;
    avg_lead: number | null;
  }>`select bundle_id, count(*) as applications,
        count(*) filter (where status = 'completed') as completed,
        count(*) filter (where status = 'rejected') as rejected,
        avg(extract(epoch from (completed_at - submitted_at)) / 60) filter (where status = 'completed') as avg_lead
      from sv_application where submitted_at >= ${from} and submitted_at < ${to}
      group by bundle_id order by bundle_id`.execute(db);
  const mats = await sql<{ bundle_id: string; total: string; shared: string; citizen: string }>`
      select a.bundle_id, count(*) as total,
        count(*) filter (where m.value->>'origin' = 'shared_data') as shared,
        count(*) filter (where m.value->>'origin' = 'applicant') as citizen
      from sv_application a cross join lateral jsonb_array_elements(a.materials) as m(value)
      where a.submitted_at >= ${from} and a.submitted_at < ${to}
      group by a.bundle_id`.execute(db);
  // Completed applications per bundle version: whether one was fully online and the trips it saved follow from its version.
  const done = await sql<{ bundle_id: string; version: number; completed: string }>`
      select bundle_id, version, count(*) as completed from sv_application
      where submitted_at >= ${from} and submitted_at < ${to} and status = 'completed'
      group by bundle_id, version`.execute(db);
  const online = new Map<string, { completed: number; fullyOnline: number; saved: number }>();
  for (const r of done.rows) {
    const bundle = versions.find(r.bundle_id, Number(r.version));
    if (!bundle) continue;
    const n = Number(r.completed);
    const trips = tripsOf(bundle);
    const o = online.get(r.bundle_id) ?? { completed: 0, fullyOnline: 0, saved: 0 };
    o.completed += n;
    o.fullyOnline += trips.fullyOnline ? n : 0;
    o.saved += n * (trips.without - trips.with);
    online.set(r.bundle_id, o);
  }
  const desks = await sql<{
    department: string;
    decided: string;
    on_time: string;
    open: string;
    overdue: string;
    escalated: string;
  }>`select s.department,
        count(*) filter (where s.status in ('approved', 'rejected', 'correction')) as decided,
        count(*) filter (where s.status in ('approved', 'rejected', 'correction') and s.decided_at <= s.due_at) as on_time,
        count(*) filter (where s.status = 'pending') as open,
        count(*) filter (where s.status = 'pending' and s.due_at < ${now}) as overdue,
        count(*) filter (where s.escalated_at is not null) as escalated
      from sv_step s join sv_application a on a.id = s.application_id
      where a.submitted_at >= ${from} and a.submitted_at < ${to}
      group by s.department order by s.department`.execute(db);
  const byBundle = new Map(mats.rows.map((r) => [r.bundle_id, r]));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    bundles: apps.rows.map((r) => {
      const m = byBundle.get(r.bundle_id);
      const total = Number(m?.total ?? 0);
      const o = online.get(r.bundle_id);
      return {
        bundleId: r.bundle_id,
        applications: Number(r.applications),
        completed: Number(r.completed),
        rejected: Number(r.rejected),
        avgLeadTimeMinutes: r.avg_lead === null ? null : Math.round(Number(r.avg_lead) * 10) / 10,
        materials: total,
        shareFromSharedData: ratio(Number(m?.shared ?? 0), total),
        shareFromCitizen: ratio(Number(m?.citizen ?? 0), total),
        shareFullyOnline: o ? ratio(o.fullyOnline, o.completed) : null,
        avgTripsSaved: o?.completed ? Math.round((o.saved / o.completed) * 100) / 100 : null,
      };
    }),
    departments: desks.rows.map((r) => ({
      department: r.department,
      decided: Number(r.decided),
      onTime: Number(r.on_time),
      shareOnTime: ratio(Number(r.on_time), Number(r.decided)),
      open: Number(r.open),
      overdue: Number(r.overdue),
      escalated: Number(r.escalated),
    })),
  };
}
