import { hostname } from 'node:os';
import type { LiveEventChange, LiveFeed } from '../modules/live/index.ts';
import type { Bus } from '../platform/bus/index.ts';
import type { Subjects } from '../subjects.ts';

const TRANSITIONS = {
  'sensing.alert.raised': 'raised',
  'sensing.alert.acknowledged': 'acknowledged',
  'sensing.alert.cleared': 'cleared',
} as const;

/** Which live change each event-centre subject is. */
const EVENT_CHANGES = {
  'events.event.created': 'created',
  'events.event.merged': 'merged',
  'events.event.status_changed': 'status_changed',
  'events.event.closed': 'closed',
  'events.event.reopened': 'reopened',
  'events.event.rated': 'rated',
  'dispatch.task.created': 'task_created',
  'dispatch.task.assigned': 'task_assigned',
  'dispatch.task.status_changed': 'task_status_changed',
  'dispatch.task.escalated': 'task_escalated',
} as const satisfies Record<string, LiveEventChange['change']>;

/**
 * A bus group of this process alone: every API process must see every alert and event change to
 * push it to its own clients. One group per subscription (`what`), since a group is one consumer.
 */
export function liveGroup(what?: string): string {
  return `live-${hostname()}-${process.pid}${what ? `-${what}` : ''}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** One attempt: a push that failed is not worth a redelivery to clients that moved on. */
const ONCE = { owner: 'live', maxAttempts: 1, maxInFlight: 64 } as const;

/**
 * Feeds alert changes from the bus (whichever process raised them) to this process's live
 * clients.
 */
export async function subscribeLiveAlerts(bus: Bus<Subjects>, feed: LiveFeed): Promise<void> {
  await bus.subscribe('sensing.alert.*', { ...ONCE, group: liveGroup() }, async (e) => {
    feed.alert(TRANSITIONS[e.subject], e.payload);
  });
}

/**
 * Feeds the event centre's changes (`events.event.*`: created, merged, status changed — which
 * covers categorised, dispatched, resolved, verified —, closed, reopened, rated; `dispatch.task.*`:
 * created, assigned, status changed, escalated) to this process's live clients, each scoped by
 * the event's jurisdiction path.
 */
export async function subscribeLiveEvents(bus: Bus<Subjects>, feed: LiveFeed): Promise<void> {
  await bus.subscribe('events.event.*', { ...ONCE, group: liveGroup('events') }, async (e) => {
    const p = e.payload;
    feed.eventChange({
      change: EVENT_CHANGES[e.subject],
      eventId: p.eventId,
      taskId: null,
      status: p.status,
      category: p.category,
      jurisdictionPath: p.jurisdictionPath,
      occurredAt: e.occurredAt,
    });
  });
  await bus.subscribe('dispatch.task.*', { ...ONCE, group: liveGroup('tasks') }, async (e) => {
    const p = e.payload;
    feed.eventChange({
      change: EVENT_CHANGES[e.subject],
      eventId: p.eventId,
      taskId: p.taskId,
      status: e.subject === 'dispatch.task.status_changed' ? e.payload.to : null,
      category: p.category,
      jurisdictionPath: p.jurisdictionPath,
      occurredAt: e.occurredAt,
    });
  });
}
