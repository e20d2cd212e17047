import { canSee, type Principal } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { notFound } from '../../platform/errors.ts';
import type { FieldEvent, TaskDto } from '../dispatch/index.ts';
import * as citizen from './events.citizen.ts';
import { EventCore } from './events.core.ts';
import type { EventDeps } from './events.deps.ts';
import { fieldContexts } from './events.field.ts';
import { intake } from './events.intake.ts';
import { taskChanged } from './events.lifecycle.ts';
import type { CitizenPhotos, EventPhoto, PhotoRow } from './events.photos.ts';
import { toEventDto } from './events.repository.ts';
import { categorise, verify } from './events.review.ts';
import type { EventDetail, EventDto, EventQuery, IntakeResult, Source } from './events.schema.ts';
import type { EventTables } from './events.tables.ts';

/**
 * The event centre: intake from every channel (located, classified, de-duplicated through the
 * algorithm gate), routing to dispatch, triage by people, verification, citizen feedback and
 * reopening. Every change is audited and published in its own transaction.
 *
 * A facade over the use cases, one file each: intake (events.intake.ts), the centre's review
 * (events.review.ts), citizens' requests (events.citizen.ts) and the status following the tasks
 * (events.lifecycle.ts); what they share is in events.core.ts.
 */
export class EventService {
  private readonly core: EventCore;
  /** Citizens' complaint photos (upload, attach at intake, read back). */
  readonly photos: CitizenPhotos;

  constructor(deps: EventDeps) {
    this.core = new EventCore(deps);
    this.photos = this.core.photos;
  }

  /**
   * Takes one report. Outside the city → outside_city (audited, nothing written). A repeat of an
   * `externalRef` returns the event already made. Otherwise: classify (unless a category is given),
   * look for a duplicate, then in one transaction write the event, its reporter, audit, bus
   * message and — unless it needs triage or is a duplicate — its tasks, assigned to teams.
   */
  intake(actor: Principal, source: Source, raw: unknown): Promise<IntakeResult> {
    return intake(this.core, actor, source, raw);
  }

  /** Events in the principal's jurisdiction (triage queue: `status=triage`). */
  async list(principal: Principal, query: EventQuery): Promise<EventDto[]> {
    return (await this.core.repo.list(this.core.db(), principal, query)).map(toEventDto);
  }

  /** One event with its tasks; not_found outside the principal's jurisdiction. */
  get(principal: Principal, id: string): Promise<EventDetail> {
    return this.core.get(principal, id);
  }

  /** An event by id or tracking number for public reads (Open311): no scoping, callers show only public fields. */
  async publicGet(ref: string): Promise<EventDetail | undefined> {
    const db = this.core.db();
    const row = await this.core.repo.find(db, await this.core.repo.idOf(db, ref));
    return row ? this.core.detail(row) : undefined;
  }

  /** The master event a reporter's token belongs to, and the event they filed. */
  async byToken(token: string): Promise<{ filed: string; master: string } | undefined> {
    const r = await this.core.repo.reporterByToken(this.core.db(), token);
    return r ? { filed: r.filed_event_id, master: r.event_id } : undefined;
  }

  /** The reporter ids a citizen's token stands for (their inbox). */
  async reporterIds(token: string): Promise<string[]> {
    const r = await this.core.repo.reporterByToken(this.core.db(), token);
    return r ? [r.id] : [];
  }

  /**
   * A dispatcher categorises an event in triage (or re-routes one whose task was returned): the
   * classifier learns the correction, the registry records it as an override, and tasks are made.
   */
  categorise(
    principal: Principal,
    id: string,
    input: { category: string; reason: string },
  ): Promise<EventDetail> {
    return categorise(this.core, principal, id, input);
  }

  /** The centre verifies a resolved event: approve → closed and every reporter is told; reject → back to the teams. */
  verify(principal: Principal, id: string, input: { approve: boolean; note: string }): Promise<EventDetail> {
    return verify(this.core, principal, id, input);
  }

  /** A reporter rates the outcome of a closed request (1–5); a later rating by the same reporter replaces theirs. */
  rate(id: string, input: { token: string; rating: number; comment?: string }): Promise<EventDto> {
    return citizen.rate(this.core, id, input);
  }

  /** A reporter reopens a closed request within the configured period: it is routed again. */
  reopen(id: string, input: { token: string; reason: string }): Promise<EventDto> {
    return citizen.reopen(this.core, id, input);
  }

  /**
   * Keeps the event's status in step with its tasks (called by dispatch inside its transaction):
   * a returned task sends the event to triage; all live tasks completed → resolved.
   */
  taskChanged(trx: Db, task: TaskDto, change: { action: string; reason?: string }): Promise<void> {
    return taskChanged(this.core, trx, task, change);
  }

  /** Locks an event's row for the rest of the caller's transaction (dispatch, before a task of it). */
  async lockEvent(trx: Db, id: string): Promise<void> {
    await this.core.repo.find(forTables<EventTables>(trx), id, true);
  }

  /**
   * A citizen photo for staff: seen by whoever sees its event (scope), or by an officer whose
   * team works a task of it (or of the event it was merged into); else not_found, as for the
   * event itself. Unattached uploads are seen by nobody.
   */
  async photoForStaff(principal: Principal, photoId: string): Promise<PhotoRow> {
    const photo = await this.photos.attached(photoId);
    const event = await this.core.repo.find(this.core.db(), photo.event_id);
    if (!event) throw notFound('photo', photoId);
    if (canSee(principal, event.jurisdiction_path)) return photo;
    if (await this.core.deps.dispatch.worksOnEvent(principal, event.merged_into ?? event.id)) return photo;
    throw notFound('photo', photoId);
  }

  /** What the field card shows of each event (description, place names, citizens' photos); not scoped. */
  fieldContexts(
    eventIds: string[],
    landmarkNear?: (lon: number, lat: number) => Promise<string | null>,
  ): Promise<Map<string, FieldEvent>> {
    return fieldContexts(this.core, eventIds, landmarkNear);
  }

  /** A citizen photo for the reporter who sent it (their token); anyone else → not_found. */
  photoForReporter(photoId: string, token: string): Promise<PhotoRow> {
    return citizen.photoForReporter(this.core, photoId, token);
  }

  /**
   * What a reporter sees of their request's photos: the ones they sent, and — once the centre
   * closed it — the proof photos of its completed tasks (`result`).
   */
  reporterPhotos(requestId: string, token: string): Promise<EventPhoto[]> {
    return citizen.reporterPhotos(this.core, requestId, token);
  }

  /** One proof photo of a closed request, for its reporter (their token). */
  resultPhotoForReporter(requestId: string, evidenceId: string, token: string) {
    return citizen.resultPhotoForReporter(this.core, requestId, evidenceId, token);
  }

  /**
   * Public facts about a request's photos (Open311 `media_url`): its first report photo and the
   * first proof photo once closed. The bytes still need the reporter's token or staff scope.
   */
  photoRefs(filedId: string): Promise<{ report?: EventPhoto; result?: EventPhoto }> {
    return citizen.photoRefs(this.core, filedId);
  }
}
