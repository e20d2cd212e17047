/**
 * Sensing's hand-overs through the transactional outbox: alert changes and, in an ingest
 * process, new readings for the rules processes. Each is written in the transaction that
 * stores the readings, so a message goes out exactly when its data committed.
 */
import { type AlertPublisher, type ReadingsOut, readingsSubject } from '../modules/sensing/index.ts';
import type { Outbox, OutboxRelay } from '../platform/bus/index.ts';
import type { Subjects } from '../subjects.ts';

/** Alert changes as outbox rows on `sensing.alert.*`, keyed by the alert's subject (one order per device and rule). */
export function alertsOut(outbox: Outbox<Subjects>): AlertPublisher {
  return {
    publish: async (event, trx) => {
      await outbox.enqueue(trx, event.subject, event.alert, { key: event.alert.subject });
    },
  };
}

/** An ingest process's hand-over of new readings: outbox rows on `sensing.readings.p<k>`, relay woken after commit. */
export function readingsOut(outbox: Outbox<Subjects>, relay: OutboxRelay, partitions: number): ReadingsOut {
  return {
    partitions,
    enqueue: async (trx, messages) => {
      await outbox.enqueueMany(
        trx,
        [...messages].map(([k, payload]) => ({ subject: readingsSubject(k), payload, key: `p${k}` })),
      );
    },
    committed: () => relay.wake(),
  };
}
