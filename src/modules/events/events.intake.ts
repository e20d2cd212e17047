import { randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '../../platform/access.ts';
import type { Db } from '../../platform/db/database.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { TaskDto } from '../dispatch/index.ts';
import type { EventCore, Routing } from './events.core.ts';
import { classifyText, findDuplicate } from './events.decide.ts';
import type { Rule } from './events.deps.ts';
import { noteColumns, notes } from './events.notes.ts';
import { type EventRow, toEventDto } from './events.repository.ts';
import {
  type EventStatus,
  type Intake,
  type IntakeResult,
  IntakeSchema,
  type Source,
} from './events.schema.ts';
import type { EventTables } from './events.tables.ts';
import { nextTrackingNumber } from './events.tracking.ts';

const DEG_PER_M_LAT = 1 / 111_320;

/** Where a report is: its jurisdiction chain, the leaf and the `/`-joined path. */
interface Place {
  lon: number;
  lat: number;
  chain: EventRow['chain'];
  leaf: EventRow['chain'][number];
  path: string;
}

/** What classification decided: a rule (and its facts) or a reason to send the report to triage. */
interface Classified {
  rule: Rule | null;
  category: string | null;
  confidence: number | null;
  classifiedBy: string | null;
  classifyDecisionId: string | null;
  triageReason: string | null;
}

/** What de-duplication found: the earlier event this one repeats, and the decision that said so. */
interface Dedupe {
  mergeInto: string | null;
  dedupeDecisionId: string | null;
}

/** Everything decided before the write transaction. */
interface Draft {
  id: string;
  source: Source;
  input: Intake;
  photoIds: string[];
  place: Place;
  classified: Classified;
  dedupe: Dedupe;
  routing: Routing | null;
  now: Date;
}

/**
 * Takes one report as named steps: validate → locate → classify → dedupe → plan → write. Outside
 * the city → outside_city (audited, nothing written). A repeat of an `externalRef` returns the
 * event already made. The write is one transaction: the event, its reporter, audit, bus message
 * and — unless it needs triage or is a duplicate — its tasks, assigned to teams.
 */
export async function intake(
  core: EventCore,
  actor: Principal,
  source: Source,
  raw: unknown,
): Promise<IntakeResult> {
  const input = await validate(core, actor, raw);
  if (input.externalRef) {
    const existing = await core.repo.byExternalRef(core.db(), source, input.externalRef);
    if (existing) return core.resultOf(existing, null, true);
  }
  const photoIds = await checkPhotos(core, actor, input);
  const place = await locate(core, actor, input);
  const id = randomUUID();
  const classified = await classify(core, actor, source, input, id, place.path);
  const now = core.deps.clock.now();
  const dedupe = await findEarlier(core, actor, input, id, place, classified.category, now);
  const routing = await plan(core, actor, id, place, classified.rule, dedupe.mergeInto);
  return write(core, actor, { id, source, input, photoIds, place, classified, dedupe, routing, now });
}

/** validate: the body against the intake schema; a bad one is refused (audited) as invalid_data. */
async function validate(core: EventCore, actor: Principal, raw: unknown): Promise<Intake> {
  const parsed = IntakeSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  await core.refused(actor, 'event.intake', '', 'invalid_data', parsed.error.issues[0]?.message ?? 'invalid');
  throw new AppError('invalid_data', 'invalid report', { issues: parsed.error.issues });
}

/** The report's uploaded photos (deduplicated), checked attachable; a refusal is audited. */
async function checkPhotos(core: EventCore, actor: Principal, input: Intake): Promise<string[]> {
  const photoIds = [...new Set(input.photos)];
  try {
    await core.photos.checkAttachable(photoIds);
  } catch (err) {
    if (err instanceof AppError) await core.refused(actor, 'event.intake', '', err.code, err.message);
    throw err;
  }
  return photoIds;
}

/** locate: the jurisdiction chain of the report's point; outside the city is refused. */
async function locate(core: EventCore, actor: Principal, input: Intake): Promise<Place> {
  const { lon, lat } = input.location;
  const located = await core.deps.locate(lon, lat);
  if (!located || located.chain.length === 0) {
    await core.refused(actor, 'event.intake', '', 'outside_city', `(${lon}, ${lat}) is outside the city`);
    throw new AppError('outside_city', `the location (${lon}, ${lat}) is outside the city`, { lon, lat });
  }
  const chain = located.chain;
  return { lon, lat, chain, leaf: chain.at(-1)!, path: chain.map((c) => c.code).join('/') };
}

/**
 * classify: a given category is taken as it is (checked against the responsibility list);
 * otherwise the classifier decides through the algorithm gate, and a missing, unsure or unknown
 * answer sends the report to triage with the reason.
 */
async function classify(
  core: EventCore,
  actor: Principal,
  source: Source,
  input: Intake,
  id: string,
  path: string,
): Promise<Classified> {
  const none: Classified = {
    rule: null,
    category: null,
    confidence: null,
    classifiedBy: null,
    classifyDecisionId: null,
    triageReason: null,
  };
  if (input.category) {
    const rule = await core.ruleOrThrow(actor, input.category);
    const classifiedBy = source === 'sensor_alert' ? 'rule' : 'reporter';
    return { ...none, rule, category: rule.category, confidence: 1, classifiedBy };
  }
  const decision = await classifyText(core.deps, actor, input.description, id, path);
  const classifyDecisionId = decision.decisionId || null;
  if (!decision.decided) {
    return { ...none, classifyDecisionId, triageReason: `classifier not available (${decision.reason})` };
  }
  const { category, confidence, needsHuman } = decision.output;
  if (needsHuman) {
    const triageReason = `low confidence ${confidence.toFixed(2)} for ${category}`;
    return { ...none, classifyDecisionId, confidence, triageReason };
  }
  const rule = await core.deps.rule(category).catch(() => null);
  if (!rule) {
    return {
      ...none,
      classifyDecisionId,
      triageReason: `classifier answered an unknown category ${category}`,
    };
  }
  return {
    rule,
    category: rule.category,
    confidence,
    classifiedBy: 'classifier',
    classifyDecisionId,
    triageReason: null,
  };
}

/** dedupe: an open event of the same category nearby and recent that the gate judges the same problem. */
async function findEarlier(
  core: EventCore,
  actor: Principal,
  input: Intake,
  id: string,
  place: Place,
  category: string | null,
  now: Date,
): Promise<Dedupe> {
  if (!category) return { mergeInto: null, dedupeDecisionId: null };
  const { lon, lat, path } = place;
  const r = core.options.dedupeRadiusM;
  const dLat = r * DEG_PER_M_LAT;
  const dLon = dLat / Math.cos((lat * Math.PI) / 180);
  const candidates = await core.repo.nearbyOpen(core.db(), {
    category,
    since: new Date(now.getTime() - core.options.dedupeWindowMinutes * 60_000),
    box: [lon - dLon, lat - dLat, lon + dLon, lat + dLat],
  });
  const found = candidates.length
    ? await findDuplicate(
        core.deps,
        actor,
        { id, text: input.description, lon, lat, path, now },
        candidates,
        {
          radiusM: r,
          minSimilarity: core.options.dedupeMinSimilarity,
        },
      )
    : null;
  return found?.decided
    ? { mergeInto: found.output.mergeInto, dedupeDecisionId: found.decisionId }
    : { mergeInto: null, dedupeDecisionId: null };
}

/** plan: the dispatch plan of a classified report that repeats no earlier one (outside the transaction). */
async function plan(
  core: EventCore,
  actor: Principal,
  id: string,
  place: Place,
  rule: Rule | null,
  mergeInto: string | null,
): Promise<Routing | null> {
  if (mergeInto || !rule) return null;
  return core.prepareRoute(
    actor,
    { id, lon: place.lon, lat: place.lat, chain: place.chain, jurisdiction_path: place.path },
    rule,
  );
}

/** write: the event, photos, reporter, audit and bus message, then merge, route or triage — one transaction. */
async function write(core: EventCore, actor: Principal, draft: Draft): Promise<IntakeResult> {
  const { id, source, input, photoIds, dedupe, routing } = draft;
  const token = randomBytes(18).toString('base64url');
  return core.deps.routing.transaction(async (trx) => {
    const db = forTables<EventTables>(trx);
    const trackingNo = await nextTrackingNumber(trx, core.options.trackingPrefix, draft.now);
    const row = eventRow(actor, draft, trackingNo);
    await core.repo.insert(db, {
      ...row,
      chain: JSON.stringify(row.chain),
      media: JSON.stringify(input.media),
    });
    await core.photos.attach(trx, photoIds, id);
    await insertReporter(core, trx, draft, token);
    await core.deps.audit.append(trx, {
      actor,
      action: 'event.created',
      subjectType: 'event',
      subjectId: id,
      jurisdictionPath: row.jurisdiction_path,
      details: {
        source,
        category: row.category,
        status: row.status,
        priority: row.priority,
        classifiedBy: row.classified_by,
        confidence: row.confidence,
        mergeInto: dedupe.mergeInto,
        triageReason: row.triage_reason,
        ...(photoIds.length ? { photos: photoIds } : {}),
      },
    });
    const { category, status, jurisdiction_path: jurisdictionPath, priority, lon, lat } = row;
    await core.outbox.enqueue(
      trx,
      'events.event.created',
      { eventId: id, category, status, jurisdictionPath, source, priority, lon, lat },
      { key: id },
    );
    let tasks: TaskDto[] = [];
    let stored = row;
    if (dedupe.mergeInto) {
      await core.outbox.enqueue(
        trx,
        'events.event.merged',
        { eventId: id, category, status, jurisdictionPath, into: dedupe.mergeInto },
        { key: dedupe.mergeInto },
      );
    } else if (routing) {
      ({ row: stored, tasks } = await core.route(trx, actor, row, routing));
    } else {
      const body = `${input.description.slice(0, 80)} — ${row.triage_reason}`;
      await core.notifyCentre(trx, row, '待分拨 Needs triage', body, {
        code: 'event.needs_triage',
        params: { description: input.description.slice(0, 80), category: row.category },
      });
    }
    return { event: toEventDto(stored), tasks, token, duplicate: dedupe.mergeInto !== null };
  });
}

/** The event row a draft becomes: merged, dispatched (once routed) or in triage. */
function eventRow(actor: Principal, draft: Draft, trackingNo: string): EventRow {
  const { id, source, input, place, classified, dedupe, now } = draft;
  const { rule, category, triageReason } = classified;
  const status: EventStatus = dedupe.mergeInto ? 'merged' : category ? 'dispatched' : 'triage';
  return {
    id,
    tracking_no: trackingNo,
    source,
    external_ref: input.externalRef ?? null,
    service_code: input.serviceCode ?? null,
    category,
    confidence: classified.confidence,
    classified_by: classified.classifiedBy,
    classify_decision_id: classified.classifyDecisionId,
    status,
    priority: input.priority ?? priorityOf(rule),
    description: input.description,
    address: input.address ?? null,
    lon: place.lon,
    lat: place.lat,
    jurisdiction_code: place.leaf.code,
    jurisdiction_path: place.path,
    chain: place.chain,
    handling_level: rule?.level ?? null,
    agency: null,
    media: input.media,
    merged_into: dedupe.mergeInto,
    dedupe_decision_id: dedupe.dedupeDecisionId,
    triage_reason: triageReason,
    ...noteColumns(dedupe.mergeInto ? notes.merged() : triageReason ? notes.triage(triageReason) : null),
    created_by: `${actor.kind}:${actor.id}`,
    created_at: now,
    updated_at: now,
    expected_at: null,
    resolved_at: null,
    closed_at: null,
    verified_by: null,
    reopened: 0,
    multi_department: false,
  };
}

/** The reporter of the report, under the event it merged into when it is a duplicate. */
async function insertReporter(core: EventCore, trx: Db, draft: Draft, token: string): Promise<void> {
  const rep = draft.input.reporter;
  await core.repo.insertReporter(forTables<EventTables>(trx), {
    id: randomUUID(),
    event_id: draft.dedupe.mergeInto ?? draft.id,
    filed_event_id: draft.id,
    kind: draft.source,
    name: rep.name ?? null,
    email: rep.email ?? null,
    phone: rep.phone ?? null,
    account_id: rep.accountId ?? null,
    device_id: rep.deviceId ?? null,
    notify_url: rep.notifyUrl ?? null,
    token,
    rating: null,
    rating_comment: null,
    rated_at: null,
    created_at: draft.now,
  });
}

/** Priority from the accept limit: ≤ 5 min urgent, ≤ 15 high, else normal. */
export function priorityOf(rule: Rule | null): 'low' | 'normal' | 'high' | 'urgent' {
  if (!rule) return 'normal';
  const m = rule.limits.acceptMinutes;
  return m <= 5 ? 'urgent' : m <= 15 ? 'high' : 'normal';
}
