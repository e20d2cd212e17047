import { hostname } from 'node:os';
import type { LiveFeed } from '../modules/sensing/index.ts';
import type { Bus } from '../platform/bus/index.ts';
import type { Subjects } from '../subjects.ts';

const TRANSITIONS = {
  'sensing.alert.raised': 'raised',
  'sensing.alert.acknowledged': 'acknowledged',
  'sensing.alert.cleared': 'cleared',
} as const;

/** A bus group of this process alone: every API process must see every alert to push it to its own clients. */
export function liveGroup(): string {
  return `live-${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * Feeds alert changes from the bus (whichever process raised them) to this process's live
 * clients. One attempt: a push that failed is not worth a redelivery to clients that moved on.
 */
export async function subscribeLiveAlerts(bus: Bus<Subjects>, feed: LiveFeed): Promise<void> {
  await bus.subscribe(
    'sensing.alert.*',
    { group: liveGroup(), owner: 'live', maxAttempts: 1, maxInFlight: 64 },
    async (e) => {
      feed.alert(TRANSITIONS[e.subject], e.payload);
    },
  );
}
