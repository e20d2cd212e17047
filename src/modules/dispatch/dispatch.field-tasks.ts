import { type Principal, requireRole } from '../../platform/access.ts';
import type { DispatchCore } from './dispatch.core.ts';
import { evidenceDto } from './dispatch.field.ts';
import { type TaskRow, toTaskDto } from './dispatch.repository.ts';
import type { FieldTaskDto } from './dispatch.schema.ts';

// What a field officer's task list carries: the tasks with their event's description, place and
// photos (from the event centre), the officer's own photos, and what was done today.

/** The city's day starts at local midnight, China Standard Time (UTC+8, no daylight saving). */
const CITY_UTC_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** Start of the city's local day that holds `now`. */
export function cityDayStart(now: Date): Date {
  const local = now.getTime() + CITY_UTC_OFFSET_MS;
  return new Date(local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - CITY_UTC_OFFSET_MS);
}

/** A field officer's open tasks (their department's teams in their jurisdiction), with what the card shows. */
export async function myTasks(core: DispatchCore, principal: Principal): Promise<FieldTaskDto[]> {
  requireRole(principal, 'field_officer');
  const rows = await core.repo.ofDepartmentTeams(core.db(), principal, principal.departmentCode, 200);
  return withContext(core, rows);
}

/** Tasks of the officer's department's teams completed since the start of today (city time), newest first. */
export async function doneToday(core: DispatchCore, principal: Principal): Promise<FieldTaskDto[]> {
  requireRole(principal, 'field_officer');
  const since = cityDayStart(core.deps.clock.now());
  const rows = await core.repo.doneByDepartmentTeams(
    core.db(),
    principal,
    principal.departmentCode,
    since,
    50,
  );
  return withContext(core, rows);
}

/** Whether a task of the event is the principal's to work on (their department's team, in their scope). */
export async function worksOnEvent(
  core: DispatchCore,
  principal: Principal,
  eventId: string,
): Promise<boolean> {
  const rows = await core.repo.ofEvent(core.db(), eventId);
  return rows.some((r) => {
    try {
      core.visible(principal, r, r.id);
      return true;
    } catch {
      return false;
    }
  });
}

async function withContext(core: DispatchCore, rows: TaskRow[]): Promise<FieldTaskDto[]> {
  if (rows.length === 0) return [];
  const [events, photos] = await Promise.all([
    core.deps.fieldContext?.([...new Set(rows.map((r) => r.event_id))]) ?? new Map(),
    core.repo.evidenceOf(
      core.db(),
      rows.map((r) => r.id),
    ),
  ]);
  return rows.map((r) => {
    const event = events.get(r.event_id);
    return {
      ...toTaskDto(r),
      ...(event ? { event } : {}),
      evidence: photos
        .filter((p) => p.task_id === r.id)
        .map((p) => ({
          ...evidenceDto(p),
          url: `/api/v1/tasks/${encodeURIComponent(r.id)}/evidence/${encodeURIComponent(p.id)}`,
        })),
    };
  });
}
